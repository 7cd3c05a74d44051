package io.snowhook.loads;

import io.snowhook.blob.BlobId;
import java.net.URI;
import java.util.Locale;

/**
 * Reads (account, container, blob name) from a blob URL: host style
 * ({@code https://<account>.blob.core.windows.net/<container>/<blob>}, also {@code .dfs.}) or path style as
 * Azurite serves it ({@code http://127.0.0.1:10000/<account>/<container>/<blob>}). The query (a SAS token,
 * perhaps) is ignored and never stored. Whether the host may be trusted is the allow-list's decision.
 */
final class BlobUrl {

    private static final String[] AZURE_HOST_SUFFIXES = {".blob.core.windows.net", ".dfs.core.windows.net"};

    private BlobUrl() {}

    static BlobId parse(URI url) {
        String text = url.toString();
        String scheme = url.getScheme();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || url.getHost() == null) {
            throw new InvalidBlobUrl(text, "is not an absolute http(s) URL");
        }
        String host = url.getHost().toLowerCase(Locale.ROOT);
        String path = url.getPath() == null ? "" : url.getPath();
        String rest = path.startsWith("/") ? path.substring(1) : path;
        String account = null;
        for (String suffix : AZURE_HOST_SUFFIXES) {
            if (host.endsWith(suffix)) {
                account = host.substring(0, host.indexOf('.'));
            }
        }
        if (account == null) {
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                throw new InvalidBlobUrl(text, "names no storage account, container and blob");
            }
            account = rest.substring(0, slash).toLowerCase(Locale.ROOT);
            rest = rest.substring(slash + 1);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new InvalidBlobUrl(text, "names no container and blob");
        }
        return new BlobId(account, rest.substring(0, slash), rest.substring(slash + 1));
    }
}
