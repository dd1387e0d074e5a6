// Thumbnails of image attachments: the declared size is read from the file's header and checked against a
// pixel limit before anything is decoded (a 50 KB PNG can declare 40,000 × 40,000 pixels: 6.4 GB once
// decoded), then a worker thread (thumbnail-worker.mjs) decodes, shrinks and encodes a small JPEG.
import { Worker } from 'node:worker_threads';

export const THUMBNAIL_DEFAULTS = {
  /** Longest side of a thumbnail, px. */
  maxSide: 320,
  /** Images declaring more pixels than this get no thumbnail (24 MP: the largest phone photos, binned). */
  maxPixels: 24_000_000,
  quality: 75,
  /** A job taking longer than this ends the worker (and gives no thumbnail). */
  timeoutMs: 30_000,
  /** Jobs waiting at most; beyond, uploads get no thumbnail rather than an ever longer queue. */
  maxQueue: 32,
  /** An idle worker exits after this long: the WebAssembly memory of a large decode is given back. */
  idleMs: 30_000,
} as const;

export type ThumbnailOptions = { -readonly [K in keyof typeof THUMBNAIL_DEFAULTS]: number };

/** Media types a thumbnail is made of. HEIC has no freely usable decoder here: no thumbnail. */
export const THUMBNAIL_SOURCES = new Set(['image/jpeg', 'image/png', 'image/webp']);
export const THUMBNAIL_MEDIA_TYPE = 'image/jpeg';

export type ThumbnailSkip = 'UNSUPPORTED_TYPE' | 'TOO_MANY_PIXELS' | 'UNREADABLE' | 'BUSY' | 'TIMEOUT';

/** Why no thumbnail was made; stable codes for logs and tests. */
export class ThumbnailSkipped extends Error {
  constructor(readonly code: ThumbnailSkip, message: string) {
    super(message);
  }
}

const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const le24 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

/** Width and height as the file declares them (what the decoder will allocate), or null when unreadable. */
export function declaredSize(bytes: Uint8Array, mediaType: string): { width: number; height: number } | null {
  if (mediaType === 'image/png') {
    if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return null;
    return { width: be32(bytes, 16), height: be32(bytes, 20) };
  }
  if (mediaType === 'image/jpeg') {
    // Walk the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG, DAC).
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const m = bytes[i + 1]!;
      if (m === 0xff) { i++; continue; }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { height: be16(bytes, i + 5), width: be16(bytes, i + 7) };
      if (m === 0xda || m === 0xd9) return null;
      i += 2 + be16(bytes, i + 2);
    }
    return null;
  }
  if (mediaType === 'image/webp') {
    if (bytes.length < 30 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') return null;
    const chunk = ascii(bytes, 12, 4);
    if (chunk === 'VP8X') return { width: le24(bytes, 24) + 1, height: le24(bytes, 27) + 1 };
    if (chunk === 'VP8 ') return { width: le16(bytes, 26) & 0x3fff, height: le16(bytes, 28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = (bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24)) >>> 0;
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    return null;
  }
  return null;
}

interface Job { resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

/** One worker thread, started on demand and stopped when idle; jobs run one at a time, in order. */
export class Thumbnailer {
  readonly options: ThumbnailOptions;
  private worker: Worker | null = null;
  private jobs = new Map<number, Job>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;

  constructor(options: Partial<ThumbnailOptions> = {}) {
    this.options = { ...THUMBNAIL_DEFAULTS, ...options };
  }

  /** A JPEG thumbnail of `bytes`; rejects with ThumbnailSkipped when none is made. */
  make(bytes: Buffer, mediaType: string): Promise<Buffer> {
    if (!THUMBNAIL_SOURCES.has(mediaType)) return Promise.reject(new ThumbnailSkipped('UNSUPPORTED_TYPE', `no thumbnails of ${mediaType}`));
    const size = declaredSize(bytes, mediaType);
    if (!size || size.width === 0 || size.height === 0) return Promise.reject(new ThumbnailSkipped('UNREADABLE', 'the image header is unreadable'));
    if (size.width * size.height > this.options.maxPixels) {
      return Promise.reject(new ThumbnailSkipped('TOO_MANY_PIXELS', `${size.width}×${size.height} is over the ${this.options.maxPixels}-pixel limit`));
    }
    if (this.jobs.size >= this.options.maxQueue) return Promise.reject(new ThumbnailSkipped('BUSY', 'too many thumbnails waiting'));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.stop(new ThumbnailSkipped('TIMEOUT', 'the thumbnail took too long')), this.options.timeoutMs);
      this.jobs.set(id, { resolve, reject, timer });
      // A copy: the caller keeps its buffer (it is also being stored).
      const copy = new Uint8Array(bytes).buffer;
      const { maxSide, maxPixels, quality } = this.options;
      worker.postMessage({ id, bytes: copy, mediaType, maxSide, maxPixels, quality }, [copy]);
    });
  }

  /** Ends the worker; jobs still waiting are rejected. */
  async close(): Promise<void> {
    await this.stop(new ThumbnailSkipped('BUSY', 'shutting down'));
  }

  private start(): Worker {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./thumbnail-worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (m: { id: number; bytes?: ArrayBuffer; error?: string; code?: ThumbnailSkip }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      clearTimeout(job.timer);
      if (m.bytes) job.resolve(Buffer.from(m.bytes));
      else job.reject(new ThumbnailSkipped(m.code === 'TOO_MANY_PIXELS' ? 'TOO_MANY_PIXELS' : 'UNREADABLE', m.error ?? 'decoding failed'));
      if (this.jobs.size === 0) this.idle = setTimeout(() => void this.stop(null), this.options.idleMs).unref();
    });
    // Only an unexpected end of the current worker fails its jobs (stop() has handled its own).
    const fail = (e: unknown) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.rejectAll(new ThumbnailSkipped('UNREADABLE', `the thumbnail worker stopped: ${(e as Error)?.message ?? e}`));
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit ${code}`)));
    this.worker = w;
    return w;
  }

  private rejectAll(e: Error): void {
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(e);
    }
    this.jobs.clear();
  }

  private async stop(reason: Error | null): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const w = this.worker;
    this.worker = null;
    if (reason) this.rejectAll(reason);
    if (w) await w.terminate();
  }
}
