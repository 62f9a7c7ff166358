// Access tokens as LiveKit checks them: HS256 JWTs signed with the secret of the key named in `iss`.
import { TokenVerifier, type ClaimGrants } from "livekit-server-sdk";

export class AuthError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class Auth {
  constructor(private readonly keys: Map<string, string>) {}

  /** Verifies signature, exp and nbf; throws AuthError(401) with LiveKit's wording. */
  async verify(token: string | null | undefined): Promise<ClaimGrants> {
    if (!token) throw new AuthError("no authorization header / access token", 401);
    const issuer = decodeIssuer(token);
    const secret = issuer === undefined ? undefined : this.keys.get(issuer);
    if (!issuer || !secret) throw new AuthError("invalid token: unknown API key", 401);
    try {
      return await new TokenVerifier(issuer, secret).verify(token);
    } catch (e) {
      throw new AuthError(`invalid token: ${(e as Error).message}`, 401);
    }
  }

  secretOf(apiKey: string): string {
    return this.keys.get(apiKey)!;
  }

  get firstKey(): [string, string] {
    return [...this.keys.entries()][0];
  }
}

function decodeIssuer(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload.iss === "string" ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}
