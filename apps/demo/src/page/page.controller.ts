import { Controller, Get, Header, Inject, NotFoundException, StreamableFile } from '@nestjs/common';
import { readFile } from 'fs/promises';
import { join } from 'path';
import { DEMO_CONFIG, DemoConfig } from '../config/demo.config';

/** The page's files and their types: nothing else of the directory is served. */
const PAGE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'pusher.html': 'text/html; charset=utf-8',
  'pusher-page.js': 'text/javascript; charset=utf-8',
  'pusher-page.js.map': 'application/json; charset=utf-8',
} as const;

type PageFile = keyof typeof PAGE_FILES;

/** Serves the chat page and the Pusher page built by `npm run build:page` (`npm start` builds them). */
@Controller()
export class PageController {
  constructor(@Inject(DEMO_CONFIG) private readonly config: DemoConfig) {}

  @Get()
  @Header('cache-control', 'no-cache')
  index(): Promise<StreamableFile> {
    return this.file('index.html');
  }

  @Get('app.js')
  @Header('cache-control', 'no-cache')
  script(): Promise<StreamableFile> {
    return this.file('app.js');
  }

  @Get('app.js.map')
  sourceMap(): Promise<StreamableFile> {
    return this.file('app.js.map');
  }

  @Get('app.css')
  @Header('cache-control', 'no-cache')
  styles(): Promise<StreamableFile> {
    return this.file('app.css');
  }

  /** pusher-js in the browser, on the demo's Pusher endpoint (`/app/{key}`). */
  @Get('pusher')
  @Header('cache-control', 'no-cache')
  pusherPage(): Promise<StreamableFile> {
    return this.file('pusher.html');
  }

  @Get('pusher-page.js')
  @Header('cache-control', 'no-cache')
  pusherScript(): Promise<StreamableFile> {
    return this.file('pusher-page.js');
  }

  @Get('pusher-page.js.map')
  pusherSourceMap(): Promise<StreamableFile> {
    return this.file('pusher-page.js.map');
  }

  private async file(name: PageFile): Promise<StreamableFile> {
    let content: Buffer;
    try {
      content = await readFile(join(this.config.pageDir, name));
    } catch {
      throw new NotFoundException(`The demo page is not built in ${this.config.pageDir}: run "npm run build:page" (npm start builds it).`);
    }
    return new StreamableFile(content, { type: PAGE_FILES[name] });
  }
}
