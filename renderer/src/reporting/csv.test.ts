import { describe, expect, it } from 'vitest';
import { csvField, csvFileName, toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header row and CRLF after every line', () => {
    expect(toCsv(['domain', 'tracking_number'], [['example.com', 'TRK-000000010'], ['b.test', null]])).toBe(
      'domain,tracking_number\r\nexample.com,TRK-000000010\r\nb.test,\r\n',
    );
  });

  it('writes only the header for an empty result', () => {
    expect(toCsv(['a', 'b'], [])).toBe('a,b\r\n');
  });

  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('plain')).toBe('plain');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+cmd')).toBe("'+cmd");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
  });

  it('keeps numbers as numbers, negative ones and numeric text included', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField('-5')).toBe('-5');
    expect(csvField('+1.5e3')).toBe('+1.5e3');
    expect(toCsv(['n'], [[-1.25]])).toBe('n\r\n-1.25\r\n');
  });

  it('writes NULL as an empty field', () => {
    expect(csvField(null)).toBe('');
  });

  it('guards and quotes column names too', () => {
    expect(toCsv(['=x', 'a,b'], [])).toBe(`'=x,"a,b"\r\n`);
  });
});

describe('csvFileName', () => {
  it('names the file after the report and the local time, to the minute', () => {
    expect(csvFileName('ssl-lookup', new Date(2026, 10, 5, 9, 7, 59))).toBe('ssl-lookup-20261105-0907.csv');
  });
});
