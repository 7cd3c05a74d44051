package io.snowhook.blob;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.util.UriUtils;

/**
 * Azure's blob URL rules, in one place: host style ({@code https://<account>.blob.core.windows.net/<container>/<blob>},
 * also {@code .dfs.}) or path style as Azurite serves it ({@code http://127.0.0.1:10000/<account>/<container>/<blob>}).
 * The query (a SAS token, perhaps) is ignored and never stored or repeated. Whether a host may be trusted
 * is the allow-list's decision ({@link StorageAccounts#acceptsUrlHost}).
 */
public final class BlobUrl {

    /** The public hosts of an account are {@code <account>} followed by one of these. */
    static final String[] AZURE_HOST_SUFFIXES = {".blob.core.windows.net", ".dfs.core.windows.net"};

    private BlobUrl() {}

    /** Whether the URL is absolute, http or https, with a host. */
    public static boolean isHttp(URI url) {
        String scheme = url.getScheme();
        return scheme != null
                && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                && url.getHost() != null;
    }

    /**
     * Reads (account, container, blob name) from a blob URL.
     *
     * @throws InvalidBlobUrl 400 {@code invalid-blob-url} for a URL that names no blob
     */
    public static BlobId parse(URI url) {
        String text = url.toString();
        if (!isHttp(url)) {
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

    /**
     * Whether {@code url} names this blob: host style (any host whose first label is the account: blob, dfs,
     * sovereign clouds) or path style (Azurite, custom endpoints). Path segments are percent-decoded ('+'
     * stays a plus) before comparing.
     */
    public static boolean names(URI url, String account, String container, String blob) {
        String host = url.getHost();
        String rawPath = url.getRawPath();
        if (host == null || rawPath == null || !rawPath.startsWith("/")) {
            return false;
        }
        String path = rawPath.substring(1);
        if (!host.toLowerCase(Locale.ROOT).startsWith(account.toLowerCase(Locale.ROOT) + ".")) {
            int slash = path.indexOf('/');
            if (slash < 0 || !decode(path.substring(0, slash)).equalsIgnoreCase(account)) {
                return false;
            }
            path = path.substring(slash + 1);
        }
        int slash = path.indexOf('/');
        if (slash < 0) {
            return false;
        }
        return decode(path.substring(0, slash)).equals(container)
                && decode(path.substring(slash + 1)).equals(blob);
    }

    /** Whether {@code host} is one of the account's public Azure hosts (blob or Data Lake). */
    static boolean isAzureHostOf(String account, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String a = account.toLowerCase(Locale.ROOT);
        for (String suffix : AZURE_HOST_SUFFIXES) {
            if (h.equals(a + suffix)) {
                return true;
            }
        }
        return false;
    }

    /** The URL without its query: a SAS token is never repeated, in an answer or in the log. */
    public static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    private static String decode(String segment) {
        try {
            return UriUtils.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "\u0000invalid";
        }
    }
}
