import { createMemoryEventBus } from "../../../adapters/memory/memory-event-bus.ts";
import { describeEventBusContract } from "./event-bus.contract.ts";
import { uniqueName } from "./support/unique-name.ts";
import { waitUntil } from "./support/wait-until.ts";

describeEventBusContract("in-process (memory)", async () => {
  const bus = createMemoryEventBus({ partitions: 3 });
  return {
    publisher: bus.publisher,
    consumer: bus.consumer,
    newTopic: async () => uniqueName("topic"),
    async deadLetters(topic, count) {
      await waitUntil(`${count} dead letters on ${topic}`, () => bus.deadLetters(topic).length >= count);
      return bus.deadLetters(topic).map((parked) => ({ ...parked }));
    },
    dispose: async () => {},
  };
});
