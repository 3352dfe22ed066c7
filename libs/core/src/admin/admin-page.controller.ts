import { Get, Header } from '@nestjs/common';
import { ADMIN_PAGE_CSP, ADMIN_PAGE_HTML } from './admin.page';

/**
 * The admin page at `<path>`, open to anyone: it holds no data, and asks for the token before it reads
 * the API. The module serves a subclass of it with the path of its options (admin.controllers.ts).
 */
export class AdminPageController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', ADMIN_PAGE_CSP)
  @Header('cache-control', 'no-cache')
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  page(): string {
    return ADMIN_PAGE_HTML;
  }
}
