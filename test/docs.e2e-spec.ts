import { execFile } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { promisify } from 'util';

// The documentation: every English document has a Spanish twin with the same outline, links between the
// documents lead to files (and headings) that exist, and the API reference builds (`npm run docs`).

const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');
const SPANISH = join(DOCS, 'es');
const run = promisify(execFile);

interface Heading {
  level: number;
  text: string;
}

/** README.md and the Markdown files directly in docs/ (docs/api is generated, docs/es holds the translations). */
function englishDocuments(): string[] {
  const guides = readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...guides.map((name) => `docs/${name}`)];
}

function spanishOf(document: string): string {
  return document === 'README.md' ? 'README.es.md' : `docs/es/${document.slice('docs/'.length)}`;
}

function allDocuments(): string[] {
  const spanish = existsSync(SPANISH) ? readdirSync(SPANISH).filter((name) => name.endsWith('.md')).map((name) => `docs/es/${name}`) : [];
  return [...englishDocuments(), ...(existsSync(join(ROOT, 'README.es.md')) ? ['README.es.md'] : []), ...spanish.sort()];
}

const read = (document: string) => readFileSync(join(ROOT, document), 'utf8');

/** The document's lines outside fenced code blocks (a `# comment` in a bash block is no heading). */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) fence = marker;
    else if (fence !== null && marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    else if (fence === null) lines.push(line);
  }
  return lines;
}

function headings(markdown: string): Heading[] {
  return proseLines(markdown).flatMap((line) => {
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    return heading ? [{ level: heading[1].length, text: heading[2] }] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2… */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text } of headings(markdown)) {
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    result.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return result;
}

/** The first place two outlines part, said in words; null when they have the same levels in the same order. */
function outlineMismatch(english: Heading[], spanish: Heading[]): string | null {
  const show = (heading: Heading | undefined) => (heading ? `${'#'.repeat(heading.level)} ${heading.text}` : '(nothing)');
  for (let i = 0; i < Math.max(english.length, spanish.length); i++) {
    if (english[i]?.level !== spanish[i]?.level) {
      return `heading ${i + 1}: English "${show(english[i])}", Spanish "${show(spanish[i])}" (after "${show(english[i - 1])}" / "${show(spanish[i - 1])}")`;
    }
  }
  return null;
}

/** The relative link targets of a document's prose: `[text](target)`, code spans and fenced code left out. */
function relativeLinks(markdown: string): string[] {
  const prose = proseLines(markdown).join('\n').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

/** What is wrong with a link of `document`: a missing file, or a missing heading for its `#anchor`; null when it is fine. */
function brokenLink(document: string, target: string): string | null {
  const [path, anchor] = target.split('#', 2);
  const file = path ? resolve(dirname(join(ROOT, document)), decodeURIComponent(path)) : join(ROOT, document);
  if (!existsSync(file)) return `${target}: no file ${relative(ROOT, file)}`;
  if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor))) {
    return `${target}: no heading with the anchor #${anchor} in ${relative(ROOT, file)}`;
  }
  return null;
}

describe('the documentation', () => {
  describe.each(englishDocuments())('%s', (english) => {
    const spanish = spanishOf(english);

    it(`has a Spanish version, ${spanish}`, () => {
      expect(existsSync(join(ROOT, spanish))).toBe(true);
    });

    it('and the Spanish version has the same headings, level by level, in the same order', () => {
      const outline = headings(read(english));
      expect(outline.length).toBeGreaterThan(0);
      expect(outlineMismatch(outline, headings(read(spanish)))).toBeNull();
    });

    it('and the Spanish version links back to it at the top', () => {
      const top = read(spanish).split('\n').slice(0, 5).join('\n');
      const back = relative(dirname(join(ROOT, spanish)), join(ROOT, english));
      expect(top).toContain(`](${back})`);
    });
  });

  it('leads every relative link to a file that exists, and every #anchor to a heading of that file', () => {
    const broken = allDocuments().flatMap((document) =>
      relativeLinks(read(document)).flatMap((target) => {
        const problem = brokenLink(document, target);
        return problem ? [`${document}: ${problem}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('documents every entry of every package: each export of libs/*/package.json is an entry point of typedoc.json', () => {
    const entryPoints: string[] = JSON.parse(read('typedoc.json')).entryPoints;
    const exported = readdirSync(join(ROOT, 'libs'))
      .filter((name) => existsSync(join(ROOT, 'libs', name, 'package.json')))
      .flatMap((name) => {
        const { exports } = JSON.parse(read(`libs/${name}/package.json`)) as { exports: Record<string, string | { types?: string }> };
        return Object.values(exports).flatMap((target) => {
          const types = typeof target === 'object' ? target.types : undefined;
          return types?.startsWith('./dist/') ? [`libs/${name}/src/${types.slice('./dist/'.length).replace(/\.d\.ts$/, '.ts')}`] : [];
        });
      });
    expect([...entryPoints].sort()).toEqual(exported.sort());
  });

  it('builds the API reference with `npm run docs`, without errors', async () => {
    let output: string;
    try {
      const { stdout, stderr } = await run('npm', ['run', 'docs', '--', '--emit', 'none'], { cwd: ROOT, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 });
      output = stdout + stderr;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`npm run docs failed:\n${stdout}\n${stderr}`);
    }
    expect(output).not.toMatch(/\[error\]|Found [1-9]\d* errors?/);
  }, 120_000);
});
