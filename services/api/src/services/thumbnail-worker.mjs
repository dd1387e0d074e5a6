// The thumbnail worker thread (thumbnails.ts starts it). Plain JavaScript on purpose: it runs the same
// in development (tsx) and in the release build, which does not bundle it. Decoding a 12-megapixel photo
// takes a second or more of pure computation; here it never blocks the API's event loop.
//
// Codecs: the Squoosh WebAssembly builds packaged as @jsquash (no install scripts, no native code).
// Input JPEG, PNG or WebP; output a baseline JPEG no larger than `maxSide` on either side, transparency
// laid on white.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';

// The PNG codec builds its result with `new ImageData`, which Node does not have.
globalThis.ImageData ??= class ImageData {
  constructor(data, width, height) {
    this.data = data;
    this.width = width;
    this.height = height;
  }
};

const wasm = (spec) => new WebAssembly.Module(readFileSync(fileURLToPath(import.meta.resolve(spec))));

let codecs;
async function load() {
  const [jpegDec, jpegEnc, pngDec, webpDec] = await Promise.all([
    import('@jsquash/jpeg/decode.js'),
    import('@jsquash/jpeg/encode.js'),
    import('@jsquash/png/decode.js'),
    import('@jsquash/webp/decode.js'),
  ]);
  // Compiled from the files beside the packages: their default loader fetches a URL, which Node cannot.
  await jpegDec.init(wasm('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
  await jpegEnc.init(wasm('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
  await pngDec.init(wasm('@jsquash/png/codec/pkg/squoosh_png_bg.wasm'));
  await webpDec.init(wasm('@jsquash/webp/codec/dec/webp_dec.wasm'));
  return {
    'image/jpeg': (b) => jpegDec.default(b),
    'image/png': (b) => pngDec.decode(b),
    'image/webp': (b) => webpDec.default(b),
    encode: (img, quality) => jpegEnc.default(img, { quality }),
  };
}

/**
 * Area-averaging downscale (each output pixel is the mean of the source pixels it covers): sharp and
 * alias-free for the large reductions thumbnails need, one pass over the source. Alpha is laid on white.
 */
function downscale(img, maxSide) {
  const { width: w, height: h, data } = img;
  const scale = Math.min(1, maxSide / Math.max(w, h));
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const out = new Uint8ClampedArray(tw * th * 4);
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * h) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * h) / th));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * w) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * w) / tw));
      let r = 0, g = 0, b = 0;
      for (let y = y0; y < y1; y++) {
        let i = (y * w + x0) * 4;
        for (let x = x0; x < x1; x++, i += 4) {
          const a = data[i + 3];
          const bg = 255 * (255 - a);
          r += data[i] * a + bg;
          g += data[i + 1] * a + bg;
          b += data[i + 2] * a + bg;
        }
      }
      const n = (y1 - y0) * (x1 - x0) * 255;
      const o = (ty * tw + tx) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = 255;
    }
  }
  return new ImageData(out, tw, th);
}

parentPort.on('message', async (job) => {
  try {
    codecs ??= await load();
    const img = await codecs[job.mediaType](new Uint8Array(job.bytes));
    // The header was checked before; the decoder's own answer is checked again (a lying header).
    if (img.width * img.height > job.maxPixels) throw Object.assign(new Error('too many pixels'), { code: 'TOO_MANY_PIXELS' });
    const jpeg = await codecs.encode(downscale(img, job.maxSide), job.quality);
    parentPort.postMessage({ id: job.id, bytes: jpeg }, [jpeg]);
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e?.message ?? e), code: e?.code ?? 'UNREADABLE' });
  }
});
