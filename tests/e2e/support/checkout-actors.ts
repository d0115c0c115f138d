import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type Client, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "../../../adapters/rpc/grpc-transport.ts";
import { AuthService } from "../../../gen/shop/auth/v1/auth_pb.ts";
import { CartService } from "../../../gen/shop/cart/v1/cart_pb.ts";
import { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.ts";
import { ProductStatus } from "../../../gen/shop/catalog/v1/products_pb.ts";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PostalAddressSchema } from "../../../gen/shop/common/v1/address_pb.ts";
import { EmailVerificationRequestedSchema, PasswordResetRequestedSchema } from "../../../gen/shop/events/v1/user_events_pb.ts";
import { AdjustmentReason, InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.ts";
import { type Order, OrderService, OrderStatus } from "../../../gen/shop/orders/v1/orders_pb.ts";
import { ShipmentStatus, ShippingService } from "../../../gen/shop/shipping/v1/shipping_pb.ts";
import { UserService } from "../../../gen/shop/users/v1/users_pb.ts";
import type { CheckoutMesh } from "./checkout-mesh.ts";
import type { EventTail } from "./event-tail.ts";

/** gRPC clients of every checkout context of a mesh (built again after a restart: same ports). */
export function meshClients(mesh: Pick<CheckoutMesh, "target">, transportOf = (target: string) => createGrpcTransport(target)) {
  const t = (name: Parameters<CheckoutMesh["target"]>[0]): Transport => transportOf(mesh.target(name));
  return {
    auth: createClient(AuthService, t("auth")),
    users: createClient(UserService, t("users")),
    catalog: createClient(CatalogService, t("catalog")),
    inventory: createClient(InventoryService, t("inventory")),
    cart: createClient(CartService, t("cart")),
    orders: createClient(OrderService, t("orders")),
    shipping: createClient(ShippingService, t("shipping")),
  };
}
export type MeshClients = ReturnType<typeof meshClients>;

export const anonymous = (tenant: string) => ({ headers: { "x-tenant-id": tenant } });
export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

export const SHIPPING_ADDRESS: MessageInitShape<typeof PostalAddressSchema> = {
  recipientName: "Ada Lovelace",
  addressLines: ["12 Analytical Row"],
  locality: "London",
  postalCode: "N1 9GU",
  countryCode: "GB",
};

const adminTokens = new WeakMap<CheckoutMesh, Promise<string>>();

/**
 * The tenant's first admin: the invitation token from user-events sets the password (once per
 * mesh: the token is single-use, so a retried test reuses the session), then a login.
 *
 * user-events is shared by every run on the broker, and so is the `users` consumer group of
 * tenant-events: while another run's users process holds the partition, it may take this run's
 * TenantCreated and mint the invitation in its own database (the token then is unknown here).
 * A token this mesh refuses is skipped and a password reset is asked for; if this mesh's users
 * never saw the tenant, that is said plainly.
 */
export function adminSession(mesh: CheckoutMesh, clients: MeshClients, userEvents: EventTail): Promise<string> {
  let session = adminTokens.get(mesh);
  if (!session) {
    session = (async () => {
      const anon = anonymous(mesh.tenant);
      const tried = new Set<string>();
      const deadline = Date.now() + 90_000;
      for (;;) {
        const invitation = await userEvents
          .next(
            PasswordResetRequestedSchema,
            (e) => e.email === mesh.adminEmail && !tried.has(e.resetToken),
            Math.max(1_000, deadline - Date.now()),
          )
          .catch((error: unknown) => {
            const users = mesh.process("users").output().slice(-8_000);
            throw new Error(`no admin invitation for ${mesh.adminEmail} of ${mesh.tenant}: ${error}\n--- users:\n${users}`);
          });
        tried.add(invitation.resetToken);
        try {
          await clients.users.resetPassword({ token: invitation.resetToken, newPassword: "admin passphrase 42" }, anon);
          break;
        } catch (error) {
          if (ConnectError.from(error).code !== Code.FailedPrecondition || Date.now() > deadline) {
            throw new Error(
              `the admin invitation of ${mesh.tenant} is not this mesh's (another run's users process took TenantCreated?): ${error}`,
            );
          }
          await clients.users.requestPasswordReset({ email: mesh.adminEmail }, anon);
        }
      }
      const login = await retryWhile(Code.NotFound, () =>
        clients.auth.login({ email: mesh.adminEmail, password: "admin passphrase 42" }, anon),
      );
      return login.tokens!.accessToken;
    })();
    session.catch(() => adminTokens.delete(mesh));
    adminTokens.set(mesh, session);
  }
  return session;
}

export interface StockedProduct {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly priceMinor: bigint;
}

/** An active product with one variant at `priceMinor` EUR and `onHand` units at location "main". */
export async function stockedProduct(
  clients: MeshClients,
  adminToken: string,
  input: { name: string; priceMinor: bigint; onHand: number },
): Promise<StockedProduct> {
  const run = randomUUID().slice(0, 8);
  const admin = bearer(adminToken);
  const category = await retryWhile(Code.NotFound, () =>
    clients.catalog.createCategory({ name: `${input.name} shelf`, slug: `shelf-${run}`, idempotencyKey: `cat-${run}` }, admin),
  );
  const sku = `SKU-${run}`.toUpperCase();
  const created = await clients.catalog.createProduct(
    {
      product: {
        name: input.name,
        brand: "Meshworks",
        description: `${input.name}, made for the checkout journey.`,
        categoryId: category.category!.categoryId,
        attributes: [],
        variants: [{ sku, price: { amountMinor: input.priceMinor, currencyCode: "EUR" } }],
        status: ProductStatus.ACTIVE,
      },
      idempotencyKey: `product-${run}`,
    },
    admin,
  );
  await retryWhile(Code.NotFound, () =>
    clients.inventory.setStock(
      { sku, locationId: "main", onHandQuantity: input.onHand, reason: AdjustmentReason.RECEIVED, note: "e2e" },
      admin,
    ),
  );
  return { productId: created.product!.productId, sku, name: input.name, priceMinor: input.priceMinor };
}

/** Registers a shopper, verifies the email with the token from user-events, logs in; answers the access token. */
export async function verifiedShopper(
  mesh: CheckoutMesh,
  clients: MeshClients,
  userEvents: EventTail,
  email = `shopper-${randomUUID().slice(0, 8)}@example.com`,
): Promise<{ token: string; userId: string; email: string }> {
  const anon = anonymous(mesh.tenant);
  const registered = await retryWhile(Code.NotFound, () =>
    clients.users.register({ email, password: "shopper passphrase 42", displayName: "Sam", idempotencyKey: randomUUID() }, anon),
  );
  const userId = registered.user!.userId;
  const verification = await userEvents.next(EmailVerificationRequestedSchema, (e) => e.userId === userId, 60_000);
  await clients.users.verifyEmail({ token: verification.verificationToken }, anon);
  const login = await clients.auth.login({ email, password: "shopper passphrase 42" }, anon);
  return { token: login.tokens!.accessToken, userId, email };
}

/** Adds the lines to the shopper's cart, validates it for checkout and places the order. */
export async function checkout(
  clients: MeshClients,
  shopperToken: string,
  lines: readonly { sku: string; quantity: number }[],
  paymentMethodToken: string,
  idempotencyKey = randomUUID(),
): Promise<{ order: Order; placeOrder: () => Promise<Order> }> {
  const shopper = bearer(shopperToken);
  for (const line of lines) {
    // UNAVAILABLE (catalog slow to answer on a loaded machine) is retried, as a shopper would click again.
    const lineKey = randomUUID();
    await retryWhile(
      Code.Unavailable,
      () => clients.cart.addItem({ sku: line.sku, quantity: line.quantity, idempotencyKey: lineKey }, shopper),
      20_000,
    );
  }
  const validated = await clients.cart.validateForCheckout({ shippingAddress: SHIPPING_ADDRESS }, shopper);
  if (!validated.readyForCheckout) {
    throw new Error(`cart not ready for checkout: ${validated.issues.map((i) => i.message).join("; ")}`);
  }
  const snapshot = validated.snapshot!;
  const placeOrder = async () =>
    (
      await clients.orders.placeOrder(
        { cartId: snapshot.cartId, cartVersion: snapshot.cartVersion, paymentMethodToken, idempotencyKey },
        shopper,
      )
    ).order!;
  return { order: await placeOrder(), placeOrder };
}

const FINAL = new Set<OrderStatus>([OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED]);

/** Polls GetOrder until `until` holds (default: a final status or CONFIRMED) or the time is up; answers the last order. */
export async function waitForOrder(
  clients: MeshClients,
  token: string,
  orderId: string,
  until: (order: Order) => boolean = (o) => FINAL.has(o.status),
  timeoutMs = 60_000,
  pollMs = 150,
): Promise<Order> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await clients.orders.getOrder({ orderId }, bearer(token)).then(
      (r) => r.order!,
      (error: unknown) => {
        // A context restarting answers UNAVAILABLE for a moment.
        if (ConnectError.from(error).code === Code.Unavailable) return undefined;
        throw error;
      },
    );
    if (order && (until(order) || Date.now() > deadline)) return order;
    if (!order && Date.now() > deadline) throw new Error(`order ${orderId} unreadable for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The admin reports the shipment picked up and delivered (UpdateShipmentStatus). */
export async function deliverShipment(clients: MeshClients, adminToken: string, orderId: string): Promise<string> {
  const admin = bearer(adminToken);
  const { shipment } = await retryWhile(Code.NotFound, () =>
    clients.shipping.getShipment({ lookup: { case: "orderId", value: orderId } }, admin),
  );
  const base = Date.now() - 60_000;
  for (const [i, status] of [ShipmentStatus.PICKED_UP, ShipmentStatus.DELIVERED].entries()) {
    await clients.shipping.updateShipmentStatus(
      {
        shipmentId: shipment!.shipmentId,
        status,
        occurTime: timestampFromDate(new Date(base + i * 30_000)),
        location: "London",
        description: "e2e",
        carrierEventId: `e2e-${orderId}-${i}`,
      },
      admin,
    );
  }
  return shipment!.shipmentId;
}

/** How many charges the payment sandbox made for an order (its test-only count, behind the secret key). */
export async function sandboxCharges(mesh: CheckoutMesh, orderId: string): Promise<number> {
  const url = new URL(`${mesh.process("payment-sandbox").url}/v1/test/charges`);
  url.searchParams.set("tenant_id", mesh.tenant);
  url.searchParams.set("order_id", orderId);
  const response = await fetch(url, { headers: { authorization: `Bearer ${mesh.sandboxSecretKey}` } });
  if (!response.ok) throw new Error(`sandbox charge count: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { charges: number }).charges;
}

export async function retryWhile<T>(code: Code, call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (ConnectError.from(error).code !== code || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export type { Client };
