// Creates a blob container in Azurite with a Shared Key request (node has no Azure SDK here).
// Usage: node create-container.mjs <endpoint http://127.0.0.1:port/account> <account> <base64 key> <container>
import crypto from "node:crypto";

const [endpoint, account, key, container] = process.argv.slice(2);
const date = new Date().toUTCString();
const version = "2021-08-06";
// Shared Key string to sign for the Blob service (2015-02-21+: Content-Length empty when 0); path-style
// URLs put the account in the path as well, hence /account/account/container.
const path = new URL(endpoint).pathname;
const stringToSign = [
  "PUT", "", "", "", "", "", "", "", "", "", "", "",
  `x-ms-date:${date}`, `x-ms-version:${version}`,
  `/${account}${path}/${container}\nrestype:container`,
].join("\n");
const signature = crypto.createHmac("sha256", Buffer.from(key, "base64")).update(stringToSign, "utf8").digest("base64");
const response = await fetch(`${endpoint}/${container}?restype=container`, {
  method: "PUT",
  headers: { "x-ms-date": date, "x-ms-version": version, Authorization: `SharedKey ${account}:${signature}` },
});
if (response.status !== 201 && response.status !== 409) {
  console.error(`creating container ${container}: HTTP ${response.status} ${await response.text()}`);
  process.exit(1);
}
