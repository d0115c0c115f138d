/** The signing keys could not be loaded (auth down, bad answer): the token is not at fault. */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}
