import { MikroORM } from "@mikro-orm/mysql";
import { describe, expect, it } from "vitest";
import { createKafka } from "../../../adapters/kafka/kafka-client.ts";
import { kafkaHealthProbe } from "../../../adapters/kafka/kafka-health-probe.ts";
import { mikroOrmHealthProbe } from "../../../adapters/mikro-orm/mikro-orm-health-probe.ts";
import { requiredEnv } from "../messaging/support/required-env.ts";

const quiet = () => {};
const noEntities = { entities: [], discovery: { warnWhenNoEntities: false } };

describe("health probes against the real servers", () => {
  it("when MariaDB answers, then the ORM probe passes", async () => {
    const orm = await MikroORM.init({ clientUrl: requiredEnv("SHOPMESH_MYSQL_URL"), ...noEntities });
    try {
      await expect(mikroOrmHealthProbe("mariadb", orm.em).ping(AbortSignal.timeout(2_000))).resolves.toBeUndefined();
    } finally {
      await orm.close(true);
    }
  });

  it("when no database listens, then the ORM probe fails", async () => {
    const orm = await MikroORM.init({ clientUrl: "mysql://nobody:nothing@127.0.0.1:1/none", ...noEntities });
    try {
      await expect(mikroOrmHealthProbe("mariadb", orm.em).ping(AbortSignal.timeout(2_000))).rejects.toBeDefined();
    } finally {
      await orm.close(true);
    }
  });

  it("when the broker answers, then the Kafka probe passes", async () => {
    const kafka = createKafka({ brokers: requiredEnv("SHOPMESH_KAFKA_BROKERS").split(","), clientId: "probe-test", log: quiet });
    const probe = kafkaHealthProbe(kafka);
    try {
      await expect(probe.ping(AbortSignal.timeout(5_000))).resolves.toBeUndefined();
    } finally {
      await probe.close();
    }
  });

  it("when no broker listens, then the Kafka probe fails within its deadline", async () => {
    const kafka = createKafka({
      brokers: ["127.0.0.1:1"],
      clientId: "probe-test",
      log: quiet,
      retry: { retries: 0, initialRetryTimeMs: 10 },
    });
    const probe = kafkaHealthProbe(kafka);
    const started = Date.now();
    await expect(probe.ping(AbortSignal.timeout(1_000))).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(3_000);
    await probe.close();
  });
});
