// Real client round trips against the local servers, with the project's own drivers
// (node_modules): `node mesh/infra/smoke.mjs [kafka] [mongo] [mysql] [redis]` (default: all).
// Reads the addresses from the environment (.infra/env) or uses the loopback defaults.
// Exits non-zero, naming the step, when one fails. Used by up.sh after a fresh start and by
// `mesh/infra/status.sh --smoke`.
import { randomUUID } from "node:crypto";

const env = process.env;
const which = process.argv.slice(2);
const want = (name) => which.length === 0 || which.includes(name);
const tag = randomUUID().slice(0, 8);
const results = [];

async function step(server, name, fn) {
  const t0 = performance.now();
  try {
    const detail = await fn();
    results.push({ server, name, ok: true, ms: Math.round(performance.now() - t0), detail });
  } catch (err) {
    results.push({ server, name, ok: false, ms: Math.round(performance.now() - t0), detail: String(err?.stack ?? err) });
    throw err;
  }
}

async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function kafka() {
  const { Kafka, logLevel, CompressionTypes } = (await import("kafkajs")).default ?? (await import("kafkajs"));
  const brokers = (env.SHOPMESH_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  const client = new Kafka({ clientId: `smoke-${tag}`, brokers, logLevel: logLevel.NOTHING });
  const topic = `smoke.${tag}`;
  const group = `smoke-${tag}`;
  const admin = client.admin();
  await step("kafka", "admin connect + createTopics(3 partitions)", async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  });
  await step("kafka", "admin listTopics + fetchTopicMetadata", async () => {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new Error(`topic ${topic} missing from listTopics`);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return `${md.topics[0].partitions.length} partitions`;
  });
  await step("kafka", "admin describeCluster + describeConfigs", async () => {
    const cluster = await admin.describeCluster();
    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic }] });
    return `brokers=${cluster.brokers.length} controller=${cluster.controller} configs=${cfg.resources[0].configEntries.length}`;
  });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, headers: { n: String(i) } }));
  await step("kafka", "idempotent producer send (acks=all, gzip)", async () => {
    await producer.connect();
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: messages.slice(0, 20) });
  });
  await step("kafka", "transactional producer send + commit", async () => {
    const tx = client.producer({ transactionalId: `smoke-tx-${tag}`, idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const t = await tx.transaction();
    await t.send({ topic, messages: messages.slice(20) });
    await t.commit();
    await tx.disconnect();
  });
  const consumer = client.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000 });
  const seen = new Set();
  await step("kafka", "consumer group join + consume all 30 messages", async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await withTimeout(
      new Promise((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic: t, partition, message }) => {
              seen.add(message.value.toString());
              await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
              if (seen.size === messages.length) resolve();
            },
          })
          .catch(reject);
      }),
      30000,
      "consume",
    );
    return `${seen.size} messages`;
  });
  await step("kafka", "committed offsets visible to admin.fetchOffsets", async () => {
    await consumer.disconnect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const total = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    // 30 records + 1 transaction marker on the partition(s) the transaction wrote to
    if (total < messages.length) throw new Error(`committed ${total} < ${messages.length}`);
    const groups = await admin.describeGroups([group]);
    return `sum of committed offsets ${total}, group state ${groups.groups[0].state}`;
  });
  await step("kafka", "admin deleteGroups + deleteTopics", async () => {
    await producer.disconnect();
    await admin.deleteGroups([group]);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
}

async function mongo() {
  const { MongoClient } = await import("mongodb");
  const url = env.SHOPMESH_MONGO_URL ?? "mongodb://127.0.0.1:27017/shopmesh";
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  const name = `smoke_${tag}`;
  await step("mongo", "connect + ping", async () => {
    await client.connect();
    await client.db().command({ ping: 1 });
  });
  const coll = client.db().collection(name);
  await step("mongo", "createIndex (unique, compound)", async () => {
    await coll.createIndex({ sku: 1 }, { unique: true });
    await coll.createIndex({ tenant: 1, price: -1 });
  });
  await step("mongo", "insertMany + find + sort", async () => {
    await coll.insertMany([
      { tenant: "t1", sku: "a", price: 3 },
      { tenant: "t1", sku: "b", price: 5 },
      { tenant: "t2", sku: "c", price: 1 },
    ]);
    const docs = await coll.find({ tenant: "t1" }).sort({ price: -1 }).toArray();
    if (docs.length !== 2 || docs[0].sku !== "b") throw new Error(`unexpected find result ${JSON.stringify(docs)}`);
  });
  await step("mongo", "unique index rejects a duplicate", async () => {
    try {
      await coll.insertOne({ tenant: "t3", sku: "a", price: 9 });
    } catch (err) {
      if (err.code === 11000) return "E11000";
      throw err;
    }
    throw new Error("duplicate sku was accepted");
  });
  await step("mongo", "findOneAndUpdate + aggregate + drop", async () => {
    await coll.findOneAndUpdate({ sku: "c" }, { $inc: { price: 1 } });
    const agg = await coll.aggregate([{ $group: { _id: "$tenant", n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    if (agg.length !== 2) throw new Error(`unexpected aggregate ${JSON.stringify(agg)}`);
    await coll.drop();
    await client.close();
  });
}

async function mysql() {
  const mysql2 = await import("mysql2/promise");
  const url = env.SHOPMESH_MYSQL_URL;
  if (!url) throw new Error("SHOPMESH_MYSQL_URL is not set (source .infra/env)");
  const conn = await mysql2.createConnection(url);
  const db = `smoke_${tag}`;
  await step("mysql", "SELECT 1 + create/drop own database + transaction", async () => {
    await conn.query("SELECT 1");
    await conn.query(`CREATE DATABASE \`${db}\``);
    await conn.query(`CREATE TABLE \`${db}\`.t (id INT PRIMARY KEY, qty INT) ENGINE=InnoDB`);
    await conn.beginTransaction();
    await conn.query(`INSERT INTO \`${db}\`.t VALUES (1, 5)`);
    await conn.query(`SELECT * FROM \`${db}\`.t WHERE id = 1 FOR UPDATE`);
    await conn.commit();
    const [[version]] = await conn.query("SELECT VERSION() AS v");
    await conn.query(`DROP DATABASE \`${db}\``);
    await conn.end();
    return version.v;
  });
}

async function redis() {
  const { Redis } = await import("ioredis");
  const r = new Redis(env.SHOPMESH_REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true, maxRetriesPerRequest: 1 });
  await step("redis", "SET/GET/DEL", async () => {
    await r.connect();
    const key = `smoke:${tag}`;
    await r.set(key, "1", "EX", 10);
    if ((await r.get(key)) !== "1") throw new Error("GET after SET mismatch");
    await r.del(key);
    const info = await r.info("server");
    r.disconnect();
    return /redis_version:(\S+)/.exec(info)?.[1];
  });
}

const suites = { kafka, mongo, mysql, redis };
let failed = false;
for (const [name, fn] of Object.entries(suites)) {
  if (!want(name)) continue;
  try {
    await fn();
  } catch {
    failed = true;
  }
}
for (const r of results) {
  const line = `${r.ok ? "ok  " : "FAIL"} ${r.server.padEnd(5)} ${r.name} (${r.ms} ms)${r.detail ? `: ${r.detail}` : ""}`;
  (r.ok ? console.log : console.error)(line);
}
process.exit(failed ? 1 : 0);
