import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tenant } from "../../../core/auth/tenant.ts";
import { parseTenantId, type RequestContext, type TenantId } from "../../../core/kit/request-context.ts";
import { createKafkaEventPublisher, type KafkaEventPublisher } from "../../../adapters/kafka/kafka-event-publisher.ts";
import { startKafkaTenantDirectory } from "../../../adapters/kafka/kafka-tenant-directory.ts";
import { tenantEventMapper } from "../../../services/auth/tenant-event-mapper.ts";
import { uniqueName } from "../../support/unique-name.ts";
import { createTestKafka, testTopics } from "../messaging/support/test-kafka.ts";
import { waitUntil } from "../messaging/support/wait-until.ts";

const operator: RequestContext = {
  tenantId: parseTenantId("platform"),
  caller: { userId: "op", roles: ["platform_operator"] },
  correlationId: "c",
  signal: new AbortController().signal,
};

function eventsOf(tenant: Tenant) {
  return tenant.pullEvents().map((event) => tenantEventMapper(event, operator));
}

describe("tenant directory replicated from tenant-events (Kafka): activity and currency", () => {
  const kafka = createTestKafka();
  const topics = testTopics(kafka, 3);
  let topic: string;
  let publisher: KafkaEventPublisher;

  beforeAll(async () => {
    topic = await topics.create("tenant-events");
    publisher = createKafkaEventPublisher(kafka);
  });
  afterAll(async () => {
    await publisher.disconnect();
    await topics.deleteAll();
  });

  it("when a process starts, then it is ready only after replaying every tenant event, and follows new ones", async () => {
    const now = new Date();
    const make = (id: string, currency = "EUR") =>
      Tenant.create({ id: parseTenantId(id), displayName: id, currency, defaultLocale: "en" }, now);
    const acme = make("acme");
    const globex = make("globex", "USD");
    globex.disable("unpaid", now);
    const initech = make("initech", "CHF");
    initech.disable("closed", now);
    initech.enable(now);
    await publisher.publish([...eventsOf(acme), ...eventsOf(globex), ...eventsOf(initech)].map((e) => ({ ...e, topic })));

    const directory = await startKafkaTenantDirectory(kafka, { topic, instance: uniqueName("test") });
    try {
      await directory.ready();
      expect(await directory.isActive("acme" as TenantId)).toBe(true);
      expect(await directory.isActive("globex" as TenantId)).toBe(false);
      expect(await directory.isActive("initech" as TenantId)).toBe(true);
      expect(await directory.isActive("nobody" as TenantId)).toBe(false);
      // The currency comes from TenantCreated and outlives a disable/enable.
      expect(await directory.currencyOf("acme" as TenantId)).toBe("EUR");
      expect(await directory.currencyOf("globex" as TenantId)).toBe("USD");
      expect(await directory.currencyOf("initech" as TenantId)).toBe("CHF");
      expect(await directory.currencyOf("nobody" as TenantId)).toBeUndefined();

      acme.disable("fraud", now);
      const hooli = make("hooli", "GBP");
      await publisher.publish([...eventsOf(acme), ...eventsOf(hooli)].map((e) => ({ ...e, topic })));
      await waitUntil("acme is seen as disabled", async () => !(await directory.isActive("acme" as TenantId)));
      await waitUntil("hooli's currency is seen", async () => (await directory.currencyOf("hooli" as TenantId)) === "GBP");
      expect(await directory.currencyOf("acme" as TenantId)).toBe("EUR");
    } finally {
      await directory.stop();
    }
  });

  it("when the topic is empty, then the directory is ready at once and knows no tenant", async () => {
    const empty = await topics.create("tenant-events-empty");
    const directory = await startKafkaTenantDirectory(kafka, { topic: empty, instance: uniqueName("test") });
    try {
      await directory.ready();
      expect(await directory.isActive("acme" as TenantId)).toBe(false);
      expect(await directory.currencyOf("acme" as TenantId)).toBeUndefined();
    } finally {
      await directory.stop();
    }
  });
});
