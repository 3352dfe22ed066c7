import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

interface TokenPayload {
  sub: string;
  /** Expiry, in epoch seconds (set by the signer from `expiresIn`). */
  exp?: number;
}

/** Who a valid token was issued to, and when it expires (epoch ms). */
export interface VerifiedToken {
  user: string;
  expiresAt?: number;
}

/** Demo-grade identity: whoever asks for a user name gets a token for it. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(user: string): Promise<string> {
    return this.jwt.signAsync({ sub: user } satisfies TokenPayload);
  }
}

/** The user a token was issued to and its expiry, or null when it is malformed, forged or expired. */
export async function verifiedToken(jwt: JwtService, token: string): Promise<VerifiedToken | null> {
  try {
    const { sub, exp } = await jwt.verifyAsync<TokenPayload>(token);
    if (typeof sub !== 'string' || sub.length === 0) return null;
    return typeof exp === 'number' ? { user: sub, expiresAt: exp * 1000 } : { user: sub };
  } catch {
    return null;
  }
}
