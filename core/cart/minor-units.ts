/**
 * Integer arithmetic on minor units. Every ratio (basis points, parts per million, pro-rata
 * shares) is computed exactly with BigInt and rounded once, half to even ("banker's rounding"):
 * 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2.
 */
export function mulDivHalfEven(amountMinor: number, numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(amountMinor) || !Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new RangeError("mulDivHalfEven takes safe integers");
  }
  if (denominator <= 0) throw new RangeError("denominator must be positive");
  const product = BigInt(amountMinor) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let quotient = abs / d;
  const twiceRemainder = (abs % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && quotient % 2n === 1n)) quotient += 1n;
  const result = Number(negative ? -quotient : quotient);
  if (!Number.isSafeInteger(result)) throw new RangeError("amount out of range");
  return result;
}

/**
 * Splits `total` over `weights` pro rata, in whole units, summing exactly to `total`: each share
 * is floored, then the units left over go one each to the largest remainders (ties: earlier
 * index first). Weights are non-negative; when they sum to 0 everything is 0.
 */
export function allocateProRata(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0 || total === 0) return weights.map(() => 0);
  const t = BigInt(total);
  const s = BigInt(sum);
  const shares = weights.map((w) => {
    const exact = t * BigInt(w);
    return { floor: exact / s, remainder: exact % s };
  });
  let left = Number(t - shares.reduce((a, x) => a + x.floor, 0n));
  const order = shares
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = shares[a]?.remainder ?? 0n;
      const rb = shares[b]?.remainder ?? 0n;
      return ra === rb ? a - b : ra > rb ? -1 : 1;
    });
  const result = shares.map((x) => Number(x.floor));
  for (const i of order) {
    if (left <= 0) break;
    result[i] = (result[i] ?? 0) + 1;
    left -= 1;
  }
  return result;
}
