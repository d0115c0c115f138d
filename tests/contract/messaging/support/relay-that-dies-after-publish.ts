// A relay process that is killed between publish and mark: it publishes one outbox batch to the
// real broker, reports "published" on stdout, and waits for the parent to SIGKILL it before the
// mark commits. Run with node; reads the test database name from OUTBOX_TEST_DATABASE.
import { createKafkaEventPublisher } from "../../../../adapters/kafka/kafka-event-publisher.ts";
import { ensureRelayLock, publishOutboxBatch } from "../../../../adapters/mikro-orm/mikro-orm-outbox-relay.ts";
import type { EventPublisher } from "../../../../core/kit/event-publisher.ts";
import { openMariaDb } from "./mariadb-test-database.ts";
import { requiredEnv } from "./required-env.ts";
import { createTestKafka } from "./test-kafka.ts";

const orm = await openMariaDb(requiredEnv("OUTBOX_TEST_DATABASE"));
const broker = createKafkaEventPublisher(createTestKafka());
const publishThenHang: EventPublisher = {
  async publish(events) {
    await broker.publish(events);
    process.stdout.write(`published ${events.map((event) => event.id).join(",")}\n`);
    await new Promise(() => {});
  },
};
await ensureRelayLock(orm.em);
await publishOutboxBatch(orm.em, publishThenHang, { batchSize: 100 });
