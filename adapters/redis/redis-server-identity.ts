import type { Redis } from "ioredis";

/** The Redis server process a connection talks to, as learned once that connection was ready. */
export interface RedisServer {
  /** `run_id`: random at every server start, another on a promoted replica. */
  readonly runId: string;
}

/** Reads the server's `run_id` (INFO server). */
export async function readRunId(redis: Redis): Promise<string> {
  const info = await redis.info("server");
  const runId = /^run_id:(\w+)/m.exec(info)?.[1];
  if (!runId) throw new Error("INFO server answered no run_id");
  return runId;
}

/**
 * Follows which server a connection reaches: forgotten when the connection closes, learned
 * again (`identify`, INFO by default) once it is ready. A new object after every reconnect, so a
 * caller can tell that an answer came from the server it knew when it asked (`isCurrent`).
 */
export class RedisServerIdentity {
  readonly #redis: Redis;
  readonly #identify: (redis: Redis) => Promise<string>;
  readonly #report: (error: unknown) => void;
  #server: RedisServer | undefined;
  #connection = 0;
  #learning: Promise<void> | undefined;

  constructor(redis: Redis, identify: (redis: Redis) => Promise<string>, report: (error: unknown) => void) {
    this.#redis = redis;
    this.#identify = identify;
    this.#report = report;
    redis.on("close", () => {
      this.#connection++;
      this.#server = undefined;
    });
    redis.on("ready", () => void this.#learn());
    if (redis.status === "ready") void this.#learn();
  }

  /** The server of the live connection (learned first when the connection is ready but not known yet); undefined while away. */
  async current(): Promise<RedisServer | undefined> {
    if (!this.#server && this.#redis.status === "ready") await this.#learn();
    return this.#server;
  }

  /** Still the server of the live connection (no reconnect since it was learned). */
  isCurrent(server: RedisServer): boolean {
    return this.#server === server;
  }

  #learn(): Promise<void> {
    this.#learning ??= this.#identifyOnce().finally(() => {
      this.#learning = undefined;
    });
    return this.#learning;
  }

  async #identifyOnce(): Promise<void> {
    const connection = this.#connection;
    try {
      const runId = await this.#identify(this.#redis);
      if (connection === this.#connection) this.#server = { runId };
    } catch (error) {
      this.#report(error);
    }
  }
}
