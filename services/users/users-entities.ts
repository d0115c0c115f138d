import { UserAddressRecord } from "../../adapters/mikro-orm/users/user-address-record.ts";
import { UserIdempotencyRecord } from "../../adapters/mikro-orm/users/user-idempotency-record.ts";
import { UserRecord } from "../../adapters/mikro-orm/users/user-record.ts";
import { UserTokenRecord } from "../../adapters/mikro-orm/users/user-token-record.ts";

/** The tables the users context keeps in its database (the messaging tables come with openSqlDatabase). */
export const usersEntities = [UserRecord, UserAddressRecord, UserTokenRecord, UserIdempotencyRecord];
