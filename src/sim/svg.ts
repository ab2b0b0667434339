/**
 * A static SVG of one interleaving: per-CPU swim lanes, one row per step, blocks coloured by
 * what the step did, context switches drawn as connectors, and the violation marked in red with
 * its report. Pure: returns the document as a string.
 */
import {
  escapeXml as e,
  KIND_COLORS,
  laneCount,
  laneNames,
  laneOps,
  replayCommand,
  STEP_KINDS,
  timelineRows,
  timelineTitle,
  type TimelineInput,
} from './html';
import { formatViolation } from './report';

const FONT = `font-family="DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"`;
const MONO = `font-family="DejaVu Sans Mono, SFMono-Regular, Menlo, Consolas, monospace"`;
/** Advance of one monospace character at 11.5px, a little generous. */
const CHAR_W = 7;

function cut(s: string, chars: number): string {
  return s.length > chars ? `${s.slice(0, Math.max(1, chars - 1))}…` : s;
}

function wrap(s: string, chars: number): string[] {
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > chars) {
        out.push(line);
        line = '';
      }
      line = line === '' ? word : `${line} ${word}`;
      while (line.length > chars) {
        out.push(line.slice(0, chars));
        line = line.slice(chars);
      }
    }
    out.push(line);
  }
  return out;
}

/** Render one interleaving as a standalone SVG document. */
export function renderTimelineSvg(input: TimelineInput): string {
  const rows = timelineRows(input);
  const lanes = laneNames(input);
  const n = laneCount(input);
  const v = input.violation;
  const margin = 24;
  const stepW = 56;
  const laneW = n <= 2 ? 380 : n === 3 ? 300 : 240;
  const width = margin * 2 + stepW + n * laneW;
  const textChars = Math.floor((width - 2 * margin - 24) / CHAR_W);
  const rowH = 26;
  const blockH = 20;
  const parts: string[] = [];
  let y = margin;

  // Title and meta.
  const title = timelineTitle(input);
  parts.push(
    `<text x="${margin}" y="${y + 16}" ${FONT} font-size="17" font-weight="700" fill="#1c2430">${e(v === null ? title : `${title}: ${v.kind} in ${v.site}`)}</text>`,
  );
  y += 26;
  const pre = input.preemptions;
  const meta = `eventfs=${input.variant} · ${input.trace.length} steps${pre !== undefined ? ` · ${pre} preemption${pre === 1 ? '' : 's'}` : ''} · schedule ${input.schedule}`;
  parts.push(
    `<text x="${margin}" y="${y + 12}" ${MONO} font-size="12" fill="#5b6675">${e(cut(meta, textChars + 8))}</text>`,
  );
  y += 24;

  // The report.
  if (v !== null) {
    const op = [...input.trace].reverse().find((t) => t.cpu === v.cpu)?.op;
    const report = formatViolation(v, input.variant, op)
      .split('\n')
      .filter((l) => !/^=+$/.test(l));
    const lines = report.flatMap((l) => wrap(l, textChars - 2));
    const h = lines.length * 16 + 14;
    parts.push(
      `<rect x="${margin}" y="${y}" width="${width - 2 * margin}" height="${h}" rx="6" fill="#fff5f5" stroke="#f1c4c4"/>`,
      `<rect x="${margin}" y="${y}" width="5" height="${h}" fill="#c62828"/>`,
    );
    lines.forEach((l, i) => {
      parts.push(
        `<text x="${margin + 14}" y="${y + 20 + i * 16}" ${MONO} font-size="11.5" fill="${i === 0 ? '#a51d1d' : '#1c2430'}"${i === 0 ? ' font-weight="700"' : ''}>${e(l)}</text>`,
      );
    });
    y += h + 12;
  } else {
    parts.push(
      `<text x="${margin}" y="${y + 12}" ${FONT} font-size="13" fill="#2e7d32">no violation along this schedule</text>`,
    );
    y += 24;
  }

  // Lane headers.
  const top = y;
  const headH = 40;
  const laneX = (i: number): number => margin + stepW + i * laneW;
  parts.push(
    `<rect x="${margin}" y="${top}" width="${width - 2 * margin}" height="${headH}" fill="#eef1f5"/>`,
    `<text x="${margin + stepW - 10}" y="${top + 17}" ${FONT} font-size="12" font-weight="700" fill="#5b6675" text-anchor="end">step</text>`,
  );
  lanes.forEach((name, i) => {
    const ops = laneOps(input, i).join(' · ') || 'idle';
    parts.push(
      `<text x="${laneX(i) + 10}" y="${top + 17}" ${FONT} font-size="13" font-weight="700" fill="#1c2430">${e(name)}</text>`,
      `<text x="${laneX(i) + 10}" y="${top + 32}" ${MONO} font-size="10.5" fill="#5b6675">${e(cut(ops, Math.floor((laneW - 20) / 6.4)))}<title>${e(ops)}</title></text>`,
    );
  });
  y = top + headH;
  const bodyTop = y;
  const bodyH = rows.length * rowH + 8;

  // Lane backgrounds and separators.
  lanes.forEach((_, i) => {
    parts.push(
      `<rect x="${laneX(i)}" y="${bodyTop}" width="${laneW}" height="${bodyH}" fill="${i % 2 === 0 ? '#ffffff' : '#f8f9fb'}"/>`,
      `<line x1="${laneX(i)}" y1="${top}" x2="${laneX(i)}" y2="${bodyTop + bodyH}" stroke="#d9dee5"/>`,
    );
  });
  parts.push(
    `<rect x="${margin}" y="${bodyTop}" width="${stepW}" height="${bodyH}" fill="#ffffff"/>`,
  );

  // Rows.
  const rowY = (i: number): number => bodyTop + 4 + i * rowH;
  const blockLabelChars = Math.floor((laneW - 28) / CHAR_W);
  const connectors: string[] = [];
  const blocks: string[] = [];
  rows.forEach((r, i) => {
    const ry = rowY(i);
    const isV = r.kind === 'violation';
    if (isV) {
      blocks.push(
        `<rect x="${margin}" y="${ry}" width="${width - 2 * margin}" height="${rowH}" fill="#fde4e4"/>`,
      );
    }
    blocks.push(
      `<text x="${margin + stepW - 10}" y="${ry + 17}" ${MONO} font-size="11.5" text-anchor="end" fill="${isV ? '#b91c1c' : '#5b6675'}"${isV ? ' font-weight="700"' : ''}>${isV ? '✖ ' : ''}${r.step}</text>`,
    );
    const x = r.cpu === null ? laneX(0) + 6 : laneX(r.cpu) + 6;
    const w = r.cpu === null ? n * laneW - 12 : laneW - 12;
    const c = KIND_COLORS[r.kind];
    const fill = isV ? '#c62828' : c.bg;
    const ink = isV ? '#ffffff' : '#1c2430';
    blocks.push(
      `<g class="step kind-${r.kind}" data-step="${r.step}">` +
        `<title>${e(`step ${r.step} · ${r.cpu === null ? 'all CPUs' : lanes[r.cpu]} · ${r.site}: ${r.what}${r.op ? ` (${r.op})` : ''}`)}</title>` +
        `<rect x="${x}" y="${ry + (rowH - blockH) / 2}" width="${w}" height="${blockH}" rx="4" fill="${fill}"${isV ? ' stroke="#7f1010" stroke-width="1.5"' : ''}/>` +
        `<rect x="${x}" y="${ry + (rowH - blockH) / 2}" width="4" height="${blockH}" fill="${isV ? '#7f1010' : c.fg}"/>` +
        `<text x="${x + 11}" y="${ry + 17}" ${MONO} font-size="11.5" fill="${ink}"${isV ? ' font-weight="700"' : ''}>${e(cut(r.what, r.cpu === null ? textChars - 12 : blockLabelChars))}</text>` +
        `</g>`,
    );
    const prev = rows[i - 1];
    if (r.switched && prev !== undefined && prev.cpu !== null && r.cpu !== null) {
      const x1 = laneX(prev.cpu) + laneW / 2;
      const x2 = laneX(r.cpu) + laneW / 2;
      const y1 = rowY(i - 1) + (rowH + blockH) / 2;
      const y2 = ry + (rowH - blockH) / 2;
      connectors.push(
        `<path d="M${x1} ${y1} C${x1} ${y2}, ${x2} ${y1}, ${x2} ${y2}" fill="none" stroke="#8a94a3" stroke-width="1.2" stroke-dasharray="3 3"/>`,
      );
    }
  });
  parts.push(...connectors, ...blocks);
  parts.push(
    `<rect x="${margin}" y="${top}" width="${width - 2 * margin}" height="${headH + bodyH}" fill="none" stroke="#d9dee5"/>`,
  );
  y = bodyTop + bodyH + 18;

  // Legend.
  let lx = margin;
  for (const { kind, label } of STEP_KINDS) {
    const c = KIND_COLORS[kind];
    const w = 30 + label.length * 6.4;
    if (lx + w > width - margin) {
      lx = margin;
      y += 20;
    }
    parts.push(
      `<rect x="${lx}" y="${y}" width="22" height="12" rx="2" fill="${kind === 'violation' ? '#c62828' : c.bg}"/>`,
      `<rect x="${lx}" y="${y}" width="4" height="12" fill="${kind === 'violation' ? '#7f1010' : c.fg}"/>`,
      `<text x="${lx + 28}" y="${y + 10}" ${FONT} font-size="11.5" fill="#5b6675">${e(label)}</text>`,
    );
    lx += w + 14;
  }
  y += 20;
  const dash = `context switch`;
  parts.push(
    `<path d="M${margin} ${y + 6} h22" stroke="#8a94a3" stroke-width="1.2" stroke-dasharray="3 3"/>`,
    `<text x="${margin + 28}" y="${y + 10}" ${FONT} font-size="11.5" fill="#5b6675">${dash}</text>`,
  );
  y += 22;
  parts.push(
    `<text x="${margin}" y="${y + 10}" ${MONO} font-size="11" fill="#5b6675">${e(cut(`replay: ${replayCommand(input)}`, textChars + 8))}</text>`,
  );
  y += 16 + margin;

  const height = Math.ceil(y);
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">
<title>${e(`${title}${v !== null ? `: ${v.kind} in ${v.site}` : ''} (schedule ${input.schedule})`)}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join('\n')}
</svg>
`;
}
