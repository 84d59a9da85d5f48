// Draws the app icon and the tray icons into build/ as PNGs, and the Windows tray icons as ICOs
// (node:zlib only, no image library).
// Run `node scripts/make-icons.mjs` after changing a shape; the PNGs are committed.
//
// Tray icons: a ring (the app mark) with a badge that says the host's state. The shape differs
// per state, not only the colour, so the macOS template variants (black + alpha, tinted by the
// menu bar) stay readable. `light` icons are for light panels, `dark` for dark ones.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const OUT = 'build';
const SUPERSAMPLE = 4;

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (row-major, 4 bytes each) → PNG bytes. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

/**
 * Rasterise layers drawn in a 16×16 unit space. Each layer: {inside(x, y) → bool, color(x, y) →
 * [r,g,b]}; later layers paint over earlier ones. Coverage is supersampled for smooth edges.
 */
function rasterise(size, layers) {
  const px = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const ux = ((x + (sx + 0.5) / n) / size) * 16;
          const uy = ((y + (sy + 0.5) / n) / size) * 16;
          for (let i = layers.length - 1; i >= 0; i--) {
            const layer = layers[i];
            if (!layer.inside(ux, uy)) continue;
            const [cr, cg, cb] = layer.color(ux, uy);
            r += cr;
            g += cg;
            b += cb;
            a += 1;
            break;
          }
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
      }
      px[o + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return px;
}

const dist = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);
const disc = (cx, cy, r) => (x, y) => dist(x, y, cx, cy) <= r;
const ring = (cx, cy, r0, r1) => (x, y) => {
  const d = dist(x, y, cx, cy);
  return d >= r0 && d <= r1;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const and =
  (...fs) =>
  (x, y) =>
    fs.every((f) => f(x, y));
const or =
  (...fs) =>
  (x, y) =>
    fs.some((f) => f(x, y));

// The ring of the mark; `notconnected` draws it broken (four arcs).
const RING = ring(8, 8, 5.6, 7.4);
const BROKEN_RING = and(RING, (x, y) => {
  const angle = (Math.atan2(y - 8, x - 8) * 180) / Math.PI + 180; // 0..360
  return angle % 90 > 22;
});

/** Badge inside the ring, one shape per host state. */
const BADGE = {
  running: disc(8, 8, 3.2),
  degraded: and(disc(8, 8, 3.2), (_x, y) => y >= 8), // half full
  crashloop: or(rect(7.1, 3.9, 8.9, 9.1), disc(8, 11.3, 1.05)), // "!"
  offline: rect(4.6, 7.1, 11.4, 8.9), // "−"
  notconnected: () => false,
};

const STATE_COLOR = {
  running: '#22c55e',
  degraded: '#f59e0b',
  crashloop: '#ef4444',
  offline: '#9ca3af',
  notconnected: '#9ca3af',
};
const RING_COLOR = { light: '#1f2937', dark: '#e5e7eb' };

function trayLayers(state, theme) {
  const ringColor = theme === 'template' ? [0, 0, 0] : hex(RING_COLOR[theme]);
  const badgeColor =
    theme === 'template' ? [0, 0, 0] : state === 'offline' ? ringColor : hex(STATE_COLOR[state]);
  return [
    { inside: state === 'notconnected' ? BROKEN_RING : RING, color: () => ringColor },
    { inside: BADGE[state], color: () => badgeColor },
  ];
}

function appIconLayers() {
  const top = hex('#4f46e5');
  const bottom = hex('#0ea5e9');
  const radius = 3.4;
  const inRoundedSquare = (x, y) => {
    const cx = Math.min(Math.max(x, 0.6 + radius), 15.4 - radius);
    const cy = Math.min(Math.max(y, 0.6 + radius), 15.4 - radius);
    return dist(x, y, cx, cy) <= radius;
  };
  return [
    {
      inside: inRoundedSquare,
      color: (_x, y) => {
        const t = Math.min(1, Math.max(0, (y - 0.6) / 14.8));
        return top.map((c, i) => c + (bottom[i] - c) * t);
      },
    },
    { inside: ring(8, 8, 3.9, 5.3), color: () => [255, 255, 255] },
    { inside: disc(8, 8, 2.1), color: () => [255, 255, 255] },
  ];
}

function write(path, size, layers) {
  writeFileSync(path, encodePng(size, rasterise(size, layers)));
}

/**
 * An ICO holding one PNG per size (PNG entries: Windows Vista and later). Windows' notification
 * area takes 16 px at 100 % scale, 20 at 125 %, 24 at 150 %, 32 at 200 %: it picks the entry.
 */
function writeIco(path, sizes, layers) {
  const pngs = sizes.map((size) => encodePng(size, rasterise(size, layers)));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map((png, i) => {
    const e = Buffer.alloc(16);
    e[0] = sizes[i]; // width (0 would mean 256)
    e[1] = sizes[i]; // height
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  writeFileSync(path, Buffer.concat([header, ...entries, ...pngs]));
}

const STATES = ['running', 'degraded', 'crashloop', 'offline', 'notconnected'];
const trayDir = join(OUT, 'tray');
mkdirSync(trayDir, { recursive: true });
mkdirSync(join(OUT, 'icons'), { recursive: true });

for (const state of STATES) {
  for (const theme of ['light', 'dark']) {
    write(join(trayDir, `tray-${state}-${theme}.png`), 16, trayLayers(state, theme));
    write(join(trayDir, `tray-${state}-${theme}@2x.png`), 32, trayLayers(state, theme));
    writeIco(
      join(trayDir, `tray-${state}-${theme}.ico`),
      [16, 20, 24, 32],
      trayLayers(state, theme),
    );
  }
  // macOS template images: the name must end in "Template" for the menu bar to tint them.
  write(join(trayDir, `tray-${state}Template.png`), 16, trayLayers(state, 'template'));
  write(join(trayDir, `tray-${state}Template@2x.png`), 32, trayLayers(state, 'template'));
}
write(join(OUT, 'icon.png'), 512, appIconLayers());
write(join(OUT, 'icons', '512x512.png'), 512, appIconLayers());
write(join(OUT, 'icons', '256x256.png'), 256, appIconLayers());
process.stdout.write(`icons written under ${OUT}/\n`);
