/**
 * Re-encode an RGB(A) PNG as an 8-bit palette PNG: the most frequent colours (at most 256) make the palette and
 * every pixel takes the nearest one. The result's pictures have a few flat colours and anti-aliased text, so this
 * is visually the same at a third of the size (a Teams card carries its picture inline in local mode, and a card
 * must stay under the platform's size limit). Used by scripts/render-glasl-images.ts only.
 */
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The same picture as a palette PNG (opaque: the pictures have a white background). */
export function toPalettePng(input: Buffer): Buffer {
  const png = PNG.sync.read(input);
  const { width, height, data } = png;
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const rgb = ((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number);
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  const palette = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 256)
    .map(([rgb]) => rgb);
  const nearest = new Map<number, number>();
  const indexOf = (rgb: number): number => {
    let found = nearest.get(rgb);
    if (found !== undefined) return found;
    let best = Number.POSITIVE_INFINITY;
    found = 0;
    palette.forEach((p, i) => {
      const d =
        ((p >> 16) - (rgb >> 16)) ** 2 + (((p >> 8) & 255) - ((rgb >> 8) & 255)) ** 2 + ((p & 255) - (rgb & 255)) ** 2;
      if (d < best) [best, found] = [d, i];
    });
    nearest.set(rgb, found);
    return found;
  };
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y += 1) {
    rows[y * (width + 1)] = 0; // filter: none (palette indices compress well as they are)
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      const rgb = ((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number);
      rows[y * (width + 1) + 1 + x] = indexOf(rgb);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(3, 9); // colour type: palette
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((p, i) => {
    plte.writeUInt8(p >> 16, i * 3);
    plte.writeUInt8((p >> 8) & 255, i * 3 + 1);
    plte.writeUInt8(p & 255, i * 3 + 2);
  });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', plte),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
