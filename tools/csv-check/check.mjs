// Reads a CSV file with csv-parse (strict RFC 4180: no relaxed quotes, every record the same
// number of fields) and prints what the tests assert on: the records, and every cell that a
// spreadsheet would run as a formula. Exit code 2 when the file does not parse.
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";

// Arguments: the file, the delimiter (default ","), and "relax" to allow records of different lengths
// (PABULIB's sections have different columns).
const [file, delimiter = ",", mode = "strict"] = process.argv.slice(2);
try {
  const records = parse(readFileSync(file), {
    delimiter,
    // The platform serves CSV for people as UTF-8 with a BOM (Excel): csv-parse drops it, as spreadsheets do.
    bom: true,
    record_delimiter: ["\r\n"],
    relax_quotes: false,
    relax_column_count: mode === "relax",
    skip_empty_lines: false,
  });
  const formulaCells = [];
  records.forEach((record, row) => record.forEach((cell, column) => {
    if (/^[=+\-@\t\r]/.test(cell)) {
      formulaCells.push({ row, column, cell });
    }
  }));
  process.stdout.write(JSON.stringify({ records, formulaCells }));
} catch (error) {
  process.stderr.write(String(error.message ?? error));
  process.exit(2);
}
