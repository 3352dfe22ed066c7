import { sign } from '../auth/pusher-signature';

/** The headers of a webhook request: `X-Pusher-Signature` is the hex HMAC-SHA256 of the body with the app's secret. */
export function webhookHeaders(key: string, secret: string, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-pusher-key': key,
    'x-pusher-signature': sign(secret, body),
  };
}
