import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

interface TokenPayload {
  sub: string;
}

/** Demo-grade identity: whoever asks for a user name gets a token for it. */
@Injectable()
export class TokenService {
  constructor(private readonly jwt: JwtService) {}

  issue(user: string): Promise<string> {
    return this.jwt.signAsync({ sub: user } satisfies TokenPayload);
  }
}

/** The user a token was issued to, or null when it is malformed, forged or expired. */
export async function verifiedUser(jwt: JwtService, token: string): Promise<string | null> {
  try {
    const { sub } = await jwt.verifyAsync<TokenPayload>(token);
    return typeof sub === 'string' && sub.length > 0 ? sub : null;
  } catch {
    return null;
  }
}
