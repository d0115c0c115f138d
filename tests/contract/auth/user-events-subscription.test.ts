import { afterEach, describe, expect, it } from "vitest";
import { Session } from "../../../core/auth/session.ts";
import { sessionPolicy } from "../../../core/auth/session-policy.ts";
import type { SessionRepository } from "../../../core/auth/session-repository.ts";
import { systemClock } from "../../../core/kit/clock.ts";
import type { EventConsumer } from "../../../core/kit/event-consumer.ts";
import type { EventPublisher } from "../../../core/kit/event-publisher.ts";
import type { ProcessedEvents } from "../../../core/kit/processed-events.ts";
import { parseTenantId } from "../../../core/kit/request-context.ts";
import { createKafkaEventConsumer } from "../../../adapters/kafka/kafka-event-consumer.ts";
import { createKafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { MemorySessionRepository } from "../../../adapters/memory/auth/memory-session-repository.ts";
import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { MikroOrmSessionRepository } from "../../../adapters/mikro-orm/auth/mikro-orm-session-repository.ts";
import { createMikroOrmProcessedEvents } from "../../../adapters/mikro-orm/mikro-orm-processed-events.ts";
import { createLogger } from "../../../adapters/observability/logger.ts";
import { encodeEvent } from "../../../adapters/protobuf/integration-event-encoding.ts";
import { UserDisabledSchema, UserEnabledSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { authEntities } from "../../../services/auth/auth-module.ts";
import { subscribeToUserEvents } from "../../../services/auth/user-events-subscription.ts";
import { openSqlTestDatabase } from "../../support/sql-test-database.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { createTestKafka, fastConsumerTimings, testTopics } from "../messaging/support/test-kafka.ts";

const logger = createLogger("user-events-test", "silent");
const policy = sessionPolicy({ idleTimeoutMs: 3_600_000, maxAgeMs: 86_400_000 });
const acme = parseTenantId("acme");
const globex = parseTenantId("globex");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Wiring {
  readonly publisher: EventPublisher;
  readonly consumer: EventConsumer;
  readonly processedEvents: ProcessedEvents;
  readonly sessions: SessionRepository;
  readonly topic: string;
}

const userEvent = (tenant: typeof acme, topic: string, userId: string, type: "disabled" | "enabled") =>
  type === "disabled"
    ? encodeEvent(
        UserDisabledSchema,
        { userId, reason: "fraud" },
        { topic, key: userId, occurredAt: new Date() },
        { tenantId: tenant, correlationId: "c" },
      )
    : encodeEvent(
        UserEnabledSchema,
        { userId },
        { topic, key: userId, occurredAt: new Date() },
        { tenantId: tenant, correlationId: "c" },
      );

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const wirings: Record<string, () => Promise<Wiring>> = {
  "in-process bus, memory stores": async () => {
    const bus = createMemoryEventBus();
    return {
      ...bus,
      processedEvents: createMemoryProcessedEvents(),
      sessions: new MemorySessionRepository(),
      topic: "user-events",
    };
  },
  "Kafka, MariaDB": async () => {
    const kafka = createTestKafka();
    const topics = testTopics(kafka, 2);
    const topic = await topics.create("user_events");
    const publisher = createKafkaEventPublisher(kafka);
    const db = await openSqlTestDatabase("mariadb", "user_events", authEntities);
    cleanups.push(async () => {
      await publisher.disconnect();
      await topics.deleteAll();
      await db.dispose();
    });
    return {
      publisher,
      consumer: createKafkaEventConsumer(kafka, fastConsumerTimings),
      processedEvents: createMikroOrmProcessedEvents(db.em),
      sessions: new MikroOrmSessionRepository(db.em),
      topic,
    };
  },
};

describe.each(Object.keys(wirings))("auth's user-events consumer: %s", (name) => {
  it("when UserDisabled arrives (twice), then that user's sessions in that tenant end once; other users, tenants and events are left alone", async () => {
    const w = await wirings[name]!();
    const open = (id: string, tenant: typeof acme, userId: string) =>
      Session.open(
        { id, tenantId: tenant, userId, firstTokenDigest: `${id}`.padEnd(64, "0"), userAgent: "", ipAddressMasked: "" },
        new Date(),
        policy,
      );
    for (const session of [
      open("s-1", acme, "u-1"),
      open("s-2", acme, "u-1"),
      open("s-3", globex, "u-1"),
      open("s-4", acme, "u-2"),
    ]) {
      await w.sessions.add(session);
    }
    const group = uniqueName("auth");
    const running = await subscribeToUserEvents({ ...w, clock: systemClock, logger, group });
    cleanups.push(() => running.stop());

    const disabled = userEvent(acme, w.topic, "u-1", "disabled");
    await w.publisher.publish([userEvent(acme, w.topic, "u-2", "enabled"), disabled, disabled]);
    await waitFor(
      async () =>
        (await w.processedEvents.isProcessed(group, disabled.id)) && !(await w.sessions.find(acme, "s-2"))!.isActive(new Date()),
    );

    expect((await w.sessions.find(acme, "s-1"))!.snapshot().revokedReason).toBe("user_disabled");
    expect((await w.sessions.find(acme, "s-2"))!.snapshot().revokedReason).toBe("user_disabled");
    expect((await w.sessions.find(acme, "s-1"))!.snapshot().version).toBe(2); // changed once
    expect((await w.sessions.find(globex, "s-3"))!.isActive(new Date())).toBe(true);
    expect((await w.sessions.find(acme, "s-4"))!.isActive(new Date())).toBe(true);
  });
});
