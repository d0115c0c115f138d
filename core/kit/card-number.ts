/**
 * Whether a string holds something that looks like a card number: a run of 13 to 19 digits
 * (single spaces, dashes or underscores between digits ignored) that passes the Luhn check.
 */
export function containsCardNumber(value: string): boolean {
  const runs = value.replace(/(?<=\d)[ _-](?=\d)/g, "").match(/\d+/g) ?? [];
  return runs.some((run) => run.length >= 13 && run.length <= 19 && luhnValid(run));
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
