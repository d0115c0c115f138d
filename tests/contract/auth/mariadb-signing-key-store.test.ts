import { describeSqlSigningKeyStore } from "./sql-signing-key-store.contract.ts";

describeSqlSigningKeyStore("mariadb");
