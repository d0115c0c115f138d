import { createMemoryProcessedEvents } from "../../../adapters/memory/memory-processed-events.ts";
import { describeProcessedEventsContract } from "./processed-events.contract.ts";

describeProcessedEventsContract("in-process (memory)", async () => createMemoryProcessedEvents());
