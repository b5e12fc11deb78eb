// PII signal: emails, phone numbers, payment card numbers (Luhn-checked), US SSN-like ids, IPv4.
// Detail lists the types found, never the values, so decisions can be logged safely.
import type { SignalResult } from '../api.js';
import type { SignalsConfig } from '../config/schema.js';
import type { SignalEvaluator, SignalInput } from './types.js';

type PiiConfig = SignalsConfig['pii'][number];
export type PiiType = 'EMAIL_ADDRESS' | 'PHONE_NUMBER' | 'CREDIT_CARD' | 'US_SSN' | 'IP_ADDRESS';

export interface PiiFinding {
  type: PiiType;
  /** How sure the pattern is that this is real PII, 0..1. */
  confidence: number;
}

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
// 13-19 digits, optionally grouped by single spaces or dashes.
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
const SSN = /(?<!\d)(\d{3})[- ](\d{2})[- ](\d{4})(?!\d)/g;
// +CC, (area), separators; 7-15 digits in all (E.164 caps numbers at 15).
const PHONE = /(?<![\d\w])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?![\d\w])/g;
// Dates look like grouped digits too: 2024-01-15, 15/01/2024, 01.02.03.
const DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])/g;

/** Finds PII in a text; each span is claimed by the most specific type first. */
export function findPii(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  const claimed: Array<[number, number]> = [];
  const free = (s: number, e: number) => claimed.every(([a, b]) => e <= a || s >= b);
  const claim = (m: RegExpMatchArray) => claimed.push([m.index!, m.index! + m[0].length]);

  for (const m of text.matchAll(EMAIL)) {
    found.push({ type: 'EMAIL_ADDRESS', confidence: 0.95 });
    claim(m);
  }
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && free(m.index!, m.index! + m[0].length)) {
      found.push({ type: 'CREDIT_CARD', confidence: 0.95 });
      claim(m);
    }
  }
  for (const m of text.matchAll(SSN)) {
    const [area, group, serial] = [m[1]!, m[2]!, m[3]!];
    const plausible = area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
    if (plausible && free(m.index!, m.index! + m[0].length)) {
      found.push({ type: 'US_SSN', confidence: m[0].includes('-') ? 0.85 : 0.7 });
      claim(m);
    }
  }
  for (const m of text.matchAll(IPV4)) {
    if (free(m.index!, m.index! + m[0].length)) {
      found.push({ type: 'IP_ADDRESS', confidence: 0.6 });
      claim(m);
    }
  }
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    const grouped = /[\s.()+-]/.test(m[0]);
    // A bare run of digits is more likely an id or a number than a phone: require some structure.
    if (digits.length >= 7 && digits.length <= 15 && grouped && !DATE.test(m[0]) && free(m.index!, m.index! + m[0].length)) {
      found.push({ type: 'PHONE_NUMBER', confidence: digits.length >= 10 ? 0.8 : 0.6 });
      claim(m);
    }
  }
  return found;
}

export class PiiSignal implements SignalEvaluator {
  readonly type = 'pii' as const;
  readonly name: string;
  loadTexts(): string[] {
    return [];
  }
  private readonly allowed: Set<string>;

  constructor(private readonly cfg: PiiConfig) {
    this.name = cfg.name;
    this.allowed = new Set(cfg.pii_types_allowed);
  }

  bind(): void {}

  evaluate(input: SignalInput): SignalResult[] {
    return [this.result(input)];
  }

  private result(input: SignalInput): SignalResult {
    const findings = findPii(this.cfg.include_history ? input.historyText : input.text).filter((f) => !this.allowed.has(f.type));
    const confidence = Math.max(0, ...findings.map((f) => f.confidence));
    const types = [...new Set(findings.map((f) => f.type))];
    return {
      id: `pii:${this.name}`,
      type: 'pii',
      name: this.name,
      matched: findings.length > 0 && confidence >= this.cfg.threshold,
      confidence,
      detail: { types },
    };
  }
}
