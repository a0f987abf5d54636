using System.Text;

namespace Onshi.Core.Features.MemberImports;

/// <summary>One record of a CSV file: its row (as a spreadsheet numbers it: the header is row 1) and its fields.</summary>
/// <param name="Row">The record's number, 1-based; a quoted line break does not start a new row.</param>
/// <param name="Fields">The fields, unquoted.</param>
/// <param name="Error">Why the record is malformed (its fields are then unreliable), or null.</param>
public sealed record CsvRecord(int Row, IReadOnlyList<string> Fields, string? Error)
{
    /// <summary>An empty line (one empty field): skipped, but it keeps its row number.</summary>
    public bool IsBlank => Error is null && Fields.Count == 1 && Fields[0].Length == 0;
}

/// <summary>
/// Reads CSV as RFC 4180 defines it, streaming: fields separated by commas, records by CRLF, LF or CR; a field in double
/// quotes may hold commas, line breaks and doubled quotes (<c>""</c>). A quote inside an unquoted field, text after a closing
/// quote, an unterminated quote, a field longer than <see cref="MaxFieldLength"/> or more than <see cref="MaxFields"/> fields
/// make the record malformed (reported with its row), and reading goes on with the next record.
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>The longest field kept (a 住所 is at most 200 characters; an unterminated quote must not swallow the file).</summary>
    public const int MaxFieldLength = 1000;

    /// <summary>The most fields a record may have.</summary>
    public const int MaxFields = 100;

    public const string UnterminatedQuote = "引用符（\"）が閉じられていません。";
    public const string TextAfterQuote = "引用符（\"）で囲んだ値の後に、区切りのカンマ以外の文字があります。";
    public const string QuoteInField = "引用符（\"）で囲まれていない値の中に引用符があります（値全体を引用符で囲み、値の中の引用符は \"\" と2つ重ねてください）。";
    public const string FieldTooLong = "値が長すぎます（1つの値は1,000文字まで）。";
    public const string TooManyFields = "列が多すぎます（100列まで）。";

    private readonly char[] buffer = new char[64 * 1024];
    private readonly StringBuilder field = new();
    private int position;
    private int length;
    private int row;

    /// <summary>The next record, or null at the end of the file.</summary>
    public CsvRecord? Read()
    {
        var c = Next();
        if (c < 0)
        {
            return null;
        }

        row++;
        var fields = new List<string>();
        string? error = null;
        field.Clear();
        var quoted = false;
        var afterQuote = false;
        var atStart = true;
        while (true)
        {
            if (quoted)
            {
                if (c < 0)
                {
                    error = UnterminatedQuote; // the cause, even when the field also grew too long
                    Add(fields, ref error);
                    return new CsvRecord(row, fields, error);
                }

                if (c == '"')
                {
                    if (Peek() == '"')
                    {
                        Next();
                        Append('"', ref error);
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    Append((char)c, ref error);
                }
            }
            else if (c < 0 || c == '\n' || c == '\r')
            {
                if (c == '\r' && Peek() == '\n')
                {
                    Next();
                }

                Add(fields, ref error);
                return new CsvRecord(row, fields, error);
            }
            else if (c == ',')
            {
                Add(fields, ref error);
                field.Clear();
                afterQuote = false;
                atStart = true;
                c = Next();
                continue;
            }
            else if (c == '"' && atStart)
            {
                quoted = true;
            }
            else
            {
                if (afterQuote)
                {
                    error ??= TextAfterQuote;
                }
                else if (c == '"')
                {
                    error ??= QuoteInField;
                }

                Append((char)c, ref error);
            }

            atStart = false;
            c = Next();
        }
    }

    private void Append(char c, ref string? error)
    {
        if (field.Length < MaxFieldLength)
        {
            field.Append(c);
        }
        else
        {
            error ??= FieldTooLong;
        }
    }

    private void Add(List<string> fields, ref string? error)
    {
        if (fields.Count < MaxFields)
        {
            fields.Add(field.ToString());
        }
        else
        {
            error ??= TooManyFields;
        }
    }

    private int Next()
    {
        if (position == length)
        {
            length = reader.Read(buffer, 0, buffer.Length);
            position = 0;
            if (length <= 0)
            {
                length = 0;
                return -1;
            }
        }

        return buffer[position++];
    }

    private int Peek()
    {
        if (position == length)
        {
            length = reader.Read(buffer, 0, buffer.Length);
            position = 0;
            if (length <= 0)
            {
                length = 0;
                return -1;
            }
        }

        return buffer[position];
    }
}
