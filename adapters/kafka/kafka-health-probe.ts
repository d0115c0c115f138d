import type { Admin, Kafka } from "kafkajs";
import { type HealthProbe, untilAborted } from "../../core/kit/health.ts";

export interface KafkaHealthProbe extends HealthProbe {
  close(): Promise<void>;
}

/** Ready while a broker answers a metadata request; the admin connection is made once and kept. */
export function kafkaHealthProbe(kafka: Kafka, name = "kafka"): KafkaHealthProbe {
  let admin: Promise<Admin> | undefined;
  const connected = () => {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })().catch((error) => {
      admin = undefined;
      throw error;
    });
    return admin;
  };
  return {
    name,
    ping: (signal) =>
      untilAborted(
        connected().then((client) => client.describeCluster()),
        signal,
      ).then(() => undefined),
    async close() {
      const client = await admin?.catch(() => undefined);
      admin = undefined;
      await client?.disconnect();
    },
  };
}
