/**
 * @fileoverview Stage: engine (libc models). time.h and sys/time.h on a deterministic virtual clock.
 *
 * Consumes: the externals API. Produces: registered handlers. The clock starts at `CLOCK_BASE_SECONDS`
 * (2023-11-14 22:13:20 UTC) and advances one nanosecond per executed step, so repeated runs see the same
 * times and a program that measures elapsed time sees it grow with the work it does. The time zone is UTC.
 * getrusage reports the virtual time as user time. `struct tm` is glibc's 56-byte layout (nine ints, long
 * tm_gmtoff, const char *tm_zone).
 */
import { registerExternals, type Runtime } from '../externals.js';
import { bytesOf, defineStatic, EINVAL, int, long, ptr, setErrno, size } from './common.js';

export const CLOCK_BASE_SECONDS = 1700000000;

/** Virtual nanoseconds since the run started. */
function nanos(rt: Runtime): number {
  return rt.steps();
}

const TM_SIZE = 56;
const TM_BUF = defineStatic('__libc_tm', TM_SIZE);
const ASCTIME_BUF = defineStatic('__libc_asctime', 32);
const ZONE = defineStatic('__libc_tzname', 16, (rt, a) => {
  rt.mem.u8.set(bytesOf('GMT\0UTC\0'), a);
});

interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  wday: number;
  yday: number;
  isdst: number;
}

function daysFromCivil(y: number, m: number, d: number): number {
  // m: 1..12
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Break down seconds since the epoch (UTC). */
export function breakDown(t: number): Tm {
  const days = Math.floor(t / 86400);
  let rem = t - days * 86400;
  const hour = Math.floor(rem / 3600);
  rem -= hour * 3600;
  const min = Math.floor(rem / 60);
  const sec = rem - min * 60;
  // civil from days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  let y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  const wday = (((days + 4) % 7) + 7) % 7;
  const yday = days - daysFromCivil(y, 1, 1);
  return { sec, min, hour, mday: d, mon: m - 1, year: y - 1900, wday, yday, isdst: 0 };
}

function writeTm(rt: Runtime, p: number, tm: Tm, zoneOff: number): void {
  const m = rt.mem;
  const f = [tm.sec, tm.min, tm.hour, tm.mday, tm.mon, tm.year, tm.wday, tm.yday, tm.isdst];
  f.forEach((v, i) => m.writeI32(p + 4 * i, v));
  m.writeI64(p + 40, 0n);
  m.writePtr(p + 48, ZONE.addr(rt) + zoneOff);
}

function readTm(rt: Runtime, p: number): Tm {
  const m = rt.mem;
  const g = (i: number): number => m.readI32(p + 4 * i);
  return {
    sec: g(0),
    min: g(1),
    hour: g(2),
    mday: g(3),
    mon: g(4),
    year: g(5),
    wday: g(6),
    yday: g(7),
    isdst: g(8),
  };
}

/** timegm: normalise the fields and return seconds since the epoch. */
function timegm(tm: Tm): number {
  const mon = tm.mon;
  const y = tm.year + 1900 + Math.floor(mon / 12);
  const mo = ((mon % 12) + 12) % 12;
  const days = daysFromCivil(y, mo + 1, 1) + tm.mday - 1;
  return days * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const p2 = (n: number): string => String(n).padStart(2, '0');

function asctime(tm: Tm): string {
  const pad3 = (n: number): string => String(n).padStart(3, ' ');
  return `${DAYS[tm.wday]?.slice(0, 3) ?? '???'} ${MONTHS[tm.mon]?.slice(0, 3) ?? '???'}${pad3(tm.mday)} ${p2(tm.hour)}:${p2(tm.min)}:${p2(tm.sec)} ${tm.year + 1900}\n`;
}

/** strftime conversions that are other formats. */
const STRFTIME_FORMATS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    c: '%a %b %e %H:%M:%S %Y',
    D: '%m/%d/%y',
    F: '%Y-%m-%d',
    r: '%I:%M:%S %p',
    R: '%H:%M',
    T: '%H:%M:%S',
    x: '%m/%d/%y',
    X: '%H:%M:%S',
  }),
);

const hour12 = (tm: Tm): number => (tm.hour % 12 === 0 ? 12 : tm.hour % 12);

/** strftime conversions of one field (C locale, UTC). */
const STRFTIME_FIELDS: ReadonlyMap<string, (tm: Tm, zone: string) => string> = new Map(
  Object.entries({
    a: (tm) => DAYS[tm.wday].slice(0, 3),
    A: (tm) => DAYS[tm.wday],
    b: (tm) => MONTHS[tm.mon].slice(0, 3),
    h: (tm) => MONTHS[tm.mon].slice(0, 3),
    B: (tm) => MONTHS[tm.mon],
    C: (tm) => p2(Math.floor((tm.year + 1900) / 100)),
    d: (tm) => p2(tm.mday),
    e: (tm) => String(tm.mday).padStart(2, ' '),
    H: (tm) => p2(tm.hour),
    I: (tm) => p2(hour12(tm)),
    j: (tm) => String(tm.yday + 1).padStart(3, '0'),
    k: (tm) => String(tm.hour).padStart(2, ' '),
    l: (tm) => String(hour12(tm)).padStart(2, ' '),
    m: (tm) => p2(tm.mon + 1),
    M: (tm) => p2(tm.min),
    n: () => '\n',
    p: (tm) => (tm.hour < 12 ? 'AM' : 'PM'),
    P: (tm) => (tm.hour < 12 ? 'am' : 'pm'),
    s: (tm) => String(timegm(tm)),
    S: (tm) => p2(tm.sec),
    t: () => '\t',
    u: (tm) => String(tm.wday === 0 ? 7 : tm.wday),
    w: (tm) => String(tm.wday),
    y: (tm) => p2((((tm.year + 1900) % 100) + 100) % 100),
    Y: (tm) => String(tm.year + 1900),
    z: () => '+0000',
    Z: (_tm, zone) => zone,
    U: (tm) => p2(Math.floor((tm.yday + 7 - tm.wday) / 7)),
    W: (tm) => p2(Math.floor((tm.yday + 7 - ((tm.wday + 6) % 7)) / 7)),
    G: (tm) => String(isoWeek(tm).year),
    g: (tm) => p2(isoWeek(tm).year % 100),
    V: (tm) => p2(isoWeek(tm).week),
    '%': () => '%',
  }),
);

/** strftime in the C locale (UTC). Flags and the E and O modifiers are accepted and ignored. */
export function strftime(fmt: string, tm: Tm, zone: string): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    let k = fmt[++i];
    while (k === 'E' || k === 'O' || k === '-' || k === '_' || k === '0' || k === '^' || k === '#')
      k = fmt[++i];
    const field = STRFTIME_FIELDS.get(k);
    if (field !== undefined) out += field(tm, zone);
    else {
      const sub = STRFTIME_FORMATS.get(k);
      out += sub !== undefined ? strftime(sub, tm, zone) : '%' + k;
    }
  }
  return out;
}

function isoWeek(tm: Tm): { year: number; week: number } {
  const y = tm.year + 1900;
  const wd = (tm.wday + 6) % 7; // Monday = 0
  const thursdayYday = tm.yday - wd + 3;
  if (thursdayYday < 0) {
    const py = y - 1;
    const pdays = isLeap(py) ? 366 : 365;
    return { year: py, week: Math.floor((thursdayYday + pdays) / 7) + 1 };
  }
  const days = isLeap(y) ? 366 : 365;
  if (thursdayYday >= days) return { year: y + 1, week: 1 };
  return { year: y, week: Math.floor(thursdayYday / 7) + 1 };
}

function nowSeconds(rt: Runtime): number {
  return CLOCK_BASE_SECONDS + Math.floor(nanos(rt) / 1e9);
}

registerExternals({
  time: (rt, [tp]) => {
    const t = BigInt(nowSeconds(rt));
    if (ptr(tp) !== 0) rt.mem.writeI64(ptr(tp), t);
    return t;
  },
  clock: (rt) => BigInt(Math.floor(nanos(rt) / 1000)),
  // struct rusage (144 bytes): all of the run's virtual time is user time; the counters are 0.
  getrusage: (rt, [who, ru]) => {
    if (int(who) !== 0 && int(who) !== -1 && int(who) !== 1) {
      setErrno(rt, EINVAL);
      return -1;
    }
    const us = int(who) === -1 ? 0 : Math.floor(nanos(rt) / 1000);
    rt.mem.fill(ptr(ru), 0, 144);
    rt.mem.writeI64(ptr(ru), BigInt(Math.floor(us / 1e6)));
    rt.mem.writeI64(ptr(ru) + 8, BigInt(us % 1e6));
    return 0;
  },
  clock_gettime: (rt, [clk, ts]) => {
    const c = int(clk);
    if (c < 0 || c > 11) {
      setErrno(rt, EINVAL);
      return -1;
    }
    const ns = nanos(rt);
    // CLOCK_REALTIME (0) is wall time; the others count from the start of the run.
    const sec = (c === 0 ? CLOCK_BASE_SECONDS : 0) + Math.floor(ns / 1e9);
    rt.mem.writeI64(ptr(ts), BigInt(sec));
    rt.mem.writeI64(ptr(ts) + 8, BigInt(ns % 1e9));
    return 0;
  },
  clock_getres: (rt, [, ts]) => {
    if (ptr(ts) !== 0) {
      rt.mem.writeI64(ptr(ts), 0n);
      rt.mem.writeI64(ptr(ts) + 8, 1n);
    }
    return 0;
  },
  gettimeofday: (rt, [tv]) => {
    const ns = nanos(rt);
    if (ptr(tv) !== 0) {
      rt.mem.writeI64(ptr(tv), BigInt(CLOCK_BASE_SECONDS + Math.floor(ns / 1e9)));
      rt.mem.writeI64(ptr(tv) + 8, BigInt(Math.floor((ns % 1e9) / 1000)));
    }
    return 0;
  },
  difftime: (_rt, [a, b]) => Number(long(a)) - Number(long(b)),
  gmtime: (rt, [tp]) => {
    writeTm(rt, TM_BUF.addr(rt), breakDown(Number(rt.mem.readI64(ptr(tp)))), 0);
    return TM_BUF.addr(rt);
  },
  gmtime_r: (rt, [tp, out]) => {
    writeTm(rt, ptr(out), breakDown(Number(rt.mem.readI64(ptr(tp)))), 0);
    return ptr(out);
  },
  localtime: (rt, [tp]) => {
    writeTm(rt, TM_BUF.addr(rt), breakDown(Number(rt.mem.readI64(ptr(tp)))), 4);
    return TM_BUF.addr(rt);
  },
  localtime_r: (rt, [tp, out]) => {
    writeTm(rt, ptr(out), breakDown(Number(rt.mem.readI64(ptr(tp)))), 4);
    return ptr(out);
  },
  mktime: (rt, [p]) => {
    const t = timegm(readTm(rt, ptr(p)));
    writeTm(rt, ptr(p), breakDown(t), 4);
    return BigInt(t);
  },
  timegm: (rt, [p]) => {
    const t = timegm(readTm(rt, ptr(p)));
    writeTm(rt, ptr(p), breakDown(t), 0);
    return BigInt(t);
  },
  asctime: (rt, [p]) => {
    const b = bytesOf(asctime(readTm(rt, ptr(p))) + '\0');
    rt.mem.writeBytes(ASCTIME_BUF.addr(rt), b);
    return ASCTIME_BUF.addr(rt);
  },
  ctime: (rt, [tp]) => {
    const b = bytesOf(asctime(breakDown(Number(rt.mem.readI64(ptr(tp))))) + '\0');
    rt.mem.writeBytes(ASCTIME_BUF.addr(rt), b);
    return ASCTIME_BUF.addr(rt);
  },
  strftime: (rt, [s, max, fmt, tmp]) => {
    const tm = readTm(rt, ptr(tmp));
    const zp = rt.mem.readPtr(ptr(tmp) + 48);
    const zone = zp !== 0 ? rt.mem.string(zp) : 'GMT';
    const out = bytesOf(strftime(rt.mem.string(ptr(fmt)), tm, zone));
    if (out.length + 1 > size(max)) return 0n;
    rt.mem.writeBytes(ptr(s), out);
    rt.mem.writeU8(ptr(s) + out.length, 0);
    return BigInt(out.length);
  },
  tzset: () => undefined,
  sleep: () => 0,
  usleep: () => 0,
  nanosleep: () => 0,
});
