-- wrk script for bench/intake.sh: every request is POST /events with a NEW blob, its body shaped exactly as
-- an Argo Events Sensor posts the whole event (src/test/java/io/snowhook/support/ArgoEvents.java,
-- argoWholeEvent): Argo's CloudEvent context, and data = BASE64 of the azureEventsHub source data whose body
-- is BASE64 of the Event Grid array — the storage event base64-encoded twice. No Content-Type, as Argo.
--
-- Environment: BENCH_URL_BASE (Azurite's path-style base, e.g. http://127.0.0.1:10000/devstoreaccount1),
-- BENCH_RUN (unique per run, keeps blob names, event ids and eTags new across runs), BENCH_TOKEN (optional
-- bearer token). done() prints one line "RESULT {json}" with requests, req/s, p50/p99 and non-2xx counts.

local urlBase = os.getenv("BENCH_URL_BASE") or "http://127.0.0.1:10000/devstoreaccount1"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local token = os.getenv("BENCH_TOKEN")
local account = "devstoreaccount1"
local container = "factory-uploads"

local threads = {}
local threadCount = 0

function setup(thread)
  threadCount = threadCount + 1
  thread:set("tid", threadCount)
  table.insert(threads, thread)
end

-- Base64, standard alphabet, padded (Go's encoding/json of []byte). Hand-written: wrk's LuaJIT has no base64.
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local enc = {}
for i = 0, 63 do enc[i] = alphabet:sub(i + 1, i + 1) end
local function base64(s)
  local out, n = {}, #s
  for i = 1, n - 2, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + b * 256 + c
    out[#out + 1] = enc[math.floor(v / 262144)] .. enc[math.floor(v / 4096) % 64]
      .. enc[math.floor(v / 64) % 64] .. enc[v % 64]
  end
  local rest = n % 3
  if rest == 1 then
    local v = s:byte(n) * 65536
    out[#out + 1] = enc[math.floor(v / 262144)] .. enc[math.floor(v / 4096) % 64] .. "=="
  elseif rest == 2 then
    local a, b = s:byte(n - 1, n)
    local v = a * 65536 + b * 256
    out[#out + 1] = enc[math.floor(v / 262144)] .. enc[math.floor(v / 4096) % 64] .. enc[math.floor(v / 64) % 64] .. "="
  end
  return table.concat(out)
end

local counter = 0
statuses = {}  -- global: done() reads it from every thread
local runHex

function init(args)
  -- tid is set by setup() before init runs in the thread
  runHex = string.format("%08x", (tonumber(run) or os.time()) % 4294967296)
end

local function uuid(kind, n)
  -- 8-4-4-4-12, unique per (run, thread, kind, n)
  return string.format("%s-%04x-4%03x-8%03x-%012x", runHex, tid % 65536, kind, tid % 4096, n)
end

function request()
  counter = counter + 1
  local n = counter
  local blob = string.format("orders/bench-%s/t%d/f%d.csv", run, tid, n)
  local etag = string.format("0x8DE%04X%09X", tid % 65536, n)
  local sequencer = string.format("0000000000000442%08x%08x", tid, n)
  local eventGrid = '[{"topic":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/javasips'
    .. '/providers/Microsoft.Storage/storageAccounts/' .. account .. '",'
    .. '"subject":"/blobServices/default/containers/' .. container .. '/blobs/' .. blob .. '",'
    .. '"eventType":"Microsoft.Storage.BlobCreated",'
    .. '"id":"' .. uuid(1, n) .. '",'
    .. '"data":{"api":"PutBlockList","clientRequestId":"6d79dbfb-0e37-4fc4-981f-442c9ca89e4f",'
    .. '"requestId":"831e1650-001e-001b-66ab-eeb76e000000","eTag":"' .. etag .. '",'
    .. '"contentType":"text/csv","contentLength":2048,"blobType":"BlockBlob",'
    .. '"url":"' .. urlBase .. '/' .. container .. '/' .. blob .. '",'
    .. '"sequencer":"' .. sequencer .. '",'
    .. '"storageDiagnostics":{"batchId":"b68529f3-68cd-4744-baa4-3c0498ec19f0"}},'
    .. '"dataVersion":"","metadataVersion":"1","eventTime":"2026-11-23T22:00:00.1234567Z"}]'
  local sourceData = '{"id":"' .. uuid(2, n) .. '","partitionKey":"","body":"' .. base64(eventGrid)
    .. '","metadata":{}}'
  local body = '{"context":{"id":"' .. uuid(3, n):gsub("-", "") .. '","source":"azure-events-hub",'
    .. '"specversion":"1.0","type":"azureEventsHub","datacontenttype":"application/json",'
    .. '"subject":"blob-created","time":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"},'
    .. '"data":"' .. base64(sourceData) .. '"}'
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", "/events", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local byStatus = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, count in pairs(s) do byStatus[code] = (byStatus[code] or 0) + count end
  end
  local non2xx, parts = 0, {}
  for code, count in pairs(byStatus) do
    if code < 200 or code > 299 then non2xx = non2xx + count end
    parts[#parts + 1] = string.format('"%d":%d', code, count)
  end
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,'
    .. '"p99_ms":%.2f,"max_ms":%.2f,"non2xx":%d,"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, non2xx, e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end
