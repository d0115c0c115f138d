// Dependency-free readiness probes (any Node >= 18, no node_modules needed), speaking each
// server's own protocol over loopback TCP:
//   node mesh/infra/probe.mjs kafka HOST:PORT   ApiVersions v0, then Metadata v1 (all topics): ok once
//                                               the broker serves requests, lists itself and knows
//                                               its controller
//   node mesh/infra/probe.mjs kafka-apis HOST:PORT   prints the broker's API version ranges
//   node mesh/infra/probe.mjs mongo HOST:PORT   OP_MSG {hello: 1} on admin; ok when ok: 1
// Exit 0 when the server answered as expected, 1 otherwise (reason on stderr).
import net from "node:net";

const [mode, addr = ""] = process.argv.slice(2);
const [host, portText] = addr.split(":");
const port = Number(portText);
const TIMEOUT_MS = Number(process.env.PROBE_TIMEOUT_MS ?? 3000);

// One request, one length-prefixed response. sizeOf(buffer) -> total frame length or -1 when
// the length prefix is not complete yet.
function roundTrip(request, sizeOf) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks = [];
    let received = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${addr} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      const buf = Buffer.concat(chunks, received);
      const size = sizeOf(buf);
      if (size >= 0 && buf.length >= size) {
        clearTimeout(timer);
        socket.end();
        resolve(buf.subarray(0, size));
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`${addr} closed the connection before answering`));
    });
  });
}

// Kafka ApiVersions v0: request header v1 (api_key, api_version, correlation_id, client_id).
async function kafkaApiVersions() {
  const clientId = Buffer.from("shopmesh-probe");
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0); // ApiVersions
  body.writeInt16BE(0, 2);
  body.writeInt32BE(42, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const res = await roundTrip(Buffer.concat([size, body]), (b) => (b.length >= 4 ? b.readInt32BE(0) + 4 : -1));
  if (res.readInt32BE(4) !== 42) throw new Error("ApiVersions: correlation id mismatch");
  const errorCode = res.readInt16BE(8);
  if (errorCode !== 0) throw new Error(`ApiVersions: error code ${errorCode}`);
  const n = res.readInt32BE(10);
  const apis = [];
  for (let i = 0, o = 14; i < n; i++, o += 6) {
    apis.push({ key: res.readInt16BE(o), min: res.readInt16BE(o + 2), max: res.readInt16BE(o + 4) });
  }
  return apis;
}

// Kafka request framing with header v1 (api_key, api_version, correlation_id, client_id).
function kafkaRequest(apiKey, apiVersion, correlationId, payload) {
  const clientId = Buffer.from("shopmesh-probe");
  const header = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + payload.length);
  return roundTrip(Buffer.concat([size, header, payload]), (b) => (b.length >= 4 ? b.readInt32BE(0) + 4 : -1));
}

// Metadata v1 for all topics (null array): brokers [node_id, host, port, rack], controller_id.
async function kafkaMetadata() {
  const nullArray = Buffer.alloc(4);
  nullArray.writeInt32BE(-1);
  const res = await kafkaRequest(3, 1, 43, nullArray);
  if (res.readInt32BE(4) !== 43) throw new Error("Metadata: correlation id mismatch");
  let o = 8;
  const brokers = [];
  const n = res.readInt32BE(o);
  o += 4;
  for (let i = 0; i < n; i++) {
    const nodeId = res.readInt32BE(o);
    const hostLen = res.readInt16BE(o + 4);
    const h = res.toString("utf8", o + 6, o + 6 + hostLen);
    o += 6 + hostLen;
    const p = res.readInt32BE(o);
    const rackLen = res.readInt16BE(o + 4);
    o += 6 + Math.max(rackLen, 0);
    brokers.push(`${nodeId}@${h}:${p}`);
  }
  const controllerId = res.readInt32BE(o);
  if (brokers.length === 0) throw new Error("Metadata: no broker registered yet");
  if (controllerId < 0) throw new Error("Metadata: no active controller yet");
  return { brokers, controllerId };
}

// MongoDB OP_MSG (opcode 2013) with a single body section {hello: 1, $db: "admin"}.
function bsonDoc(fields) {
  const parts = [];
  for (const [key, value] of Object.entries(fields)) {
    const name = Buffer.from(`${key}\0`);
    if (typeof value === "number") {
      const v = Buffer.alloc(4);
      v.writeInt32LE(value);
      parts.push(Buffer.from([0x10]), name, v);
    } else {
      const s = Buffer.from(`${value}\0`);
      const len = Buffer.alloc(4);
      len.writeInt32LE(s.length);
      parts.push(Buffer.from([0x02]), name, len, s);
    }
  }
  const inner = Buffer.concat([...parts, Buffer.from([0])]);
  const len = Buffer.alloc(4);
  len.writeInt32LE(inner.length + 4);
  return Buffer.concat([len, inner]);
}

async function mongoHello() {
  const doc = bsonDoc({ hello: 1, $db: "admin" });
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(16 + 4 + 1 + doc.length, 0);
  header.writeInt32LE(7, 4); // requestID
  header.writeInt32LE(0, 8); // responseTo
  header.writeInt32LE(2013, 12); // OP_MSG
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: body
  const res = await roundTrip(Buffer.concat([header, doc]), (b) => (b.length >= 4 ? b.readInt32LE(0) : -1));
  if (res.readInt32LE(8) !== 7 || res.readInt32LE(12) !== 2013) throw new Error("hello: unexpected reply header");
  // Top-level "ok" field of the reply document: double (0x01) or int32 (0x10).
  const body = res.subarray(21);
  for (let o = 4; o < body.length - 1; ) {
    const type = body[o];
    const end = body.indexOf(0, o + 1);
    const key = body.toString("utf8", o + 1, end);
    let v = end + 1;
    if (key === "ok") {
      const ok = type === 0x01 ? body.readDoubleLE(v) : type === 0x10 ? body.readInt32LE(v) : Number.NaN;
      if (ok !== 1) throw new Error(`hello: ok=${ok}`);
      return;
    }
    switch (type) {
      case 0x01:
      case 0x09:
      case 0x11:
      case 0x12:
        v += 8;
        break; // double, date, timestamp, int64
      case 0x02:
      case 0x0d:
      case 0x0e:
        v += 4 + body.readInt32LE(v);
        break; // string-likes
      case 0x03:
      case 0x04:
        v += body.readInt32LE(v);
        break; // document, array
      case 0x05:
        v += 5 + body.readInt32LE(v);
        break; // binary
      case 0x07:
        v += 12;
        break; // ObjectId
      case 0x08:
        v += 1;
        break; // bool
      case 0x0a:
        break; // null
      case 0x10:
        v += 4;
        break; // int32
      case 0x13:
        v += 16;
        break; // decimal128
      default:
        throw new Error(`hello: cannot skip BSON type 0x${type.toString(16)}`);
    }
    o = v;
  }
  throw new Error("hello: reply has no ok field");
}

try {
  if (!host || !port) throw new Error("usage: probe.mjs kafka|kafka-apis|mongo HOST:PORT");
  if (mode === "kafka") {
    await kafkaApiVersions();
    await kafkaMetadata();
  } else if (mode === "kafka-apis") {
    for (const a of await kafkaApiVersions()) console.log(`${a.key}\t${a.min}\t${a.max}`);
  } else if (mode === "mongo") {
    await mongoHello();
  } else {
    throw new Error(`unknown probe ${mode}`);
  }
} catch (err) {
  console.error(`probe ${mode} ${addr}: ${err.message}`);
  process.exit(1);
}
