using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Onshi.Core.Common;
using Onshi.Core.Features.MemberImports;

namespace Onshi.Core.Features.Qualifications.Bulk;

/// <summary>What a 一括照会 upload on the screens is.</summary>
public enum BulkFileKind
{
    /// <summary>The screens' CSV (<see cref="BulkInquiryFile.Columns"/>).</summary>
    Csv = 1,

    /// <summary>The terminal's request message <c>OQSmuquc01req</c>.</summary>
    Xml = 2,
}

/// <summary>An upload read: its kind and encoding, the request header it carries (XML only) and one search per patient, in order.</summary>
public sealed record BulkFileContent(BulkFileKind Kind, MemberImportEncoding Encoding, BulkInquiryService.Header Header,
    IReadOnlyList<QualificationConfirmSearchInfo> Patients);

/// <summary>A column of the screens' CSV: its header name, whether the header must have it, and what it holds.</summary>
public sealed record BulkCsvColumn(string Name, bool Required, string Description);

/// <summary>
/// Reads a 一括照会 upload of the OQS screens — the CSV of <see cref="Columns"/> (UTF-8 with or without BOM, or Shift_JIS, told
/// apart by <see cref="MemberFileEncoding"/> and read by <see cref="CsvRecordReader"/>) or the <c>OQSmuquc01req</c> XML (UTF-8
/// or Shift_JIS as its XML declaration says). Only problems of the <em>file</em> are refused here, each with a message that names
/// the row or column but never a value: nothing chosen, empty, too large, neither .csv nor .xml, not text, undecodable, a wrong
/// header, a malformed CSV record or a row with another number of fields than the header, XML that does not parse or is not
/// <c>XmlMsg</c>, no patient, more than the limit. A patient's wrong keys are no file problem: the job answers that patient
/// with <c>ProcessingResultStatus</c> 2, the others normally. Values are only folded as the lookup form folds them
/// (<see cref="TextInput.NormalizeCode"/>: full-width digits from an IME) and a 生年月日 written with - or / becomes yyyyMMdd.
/// </summary>
public static partial class BulkInquiryFile
{
    /// <summary>The form field of the file (errors are shown on it).</summary>
    public const string FileField = "File";

    /// <summary>The largest file accepted: 8 MB (10,000 patients take about 0.5 MB as CSV and 4 MB as XML).</summary>
    public const long MaxFileBytes = 8L * 1024 * 1024;

    /// <summary>At most this many problem rows are listed; the message then says there are more.</summary>
    public const int MaxListedErrors = 10;

    public const string InsurerNumberColumn = "保険者番号";
    public const string SymbolColumn = "記号";
    public const string NumberColumn = "番号";
    public const string BranchColumn = "枝番";
    public const string BirthdateColumn = "生年月日";
    public const string ConsentColumn = "限度額同意";

    /// <summary>The CSV's columns, in the order the sample writes them (the header may order them freely).</summary>
    public static IReadOnlyList<BulkCsvColumn> Columns { get; } =
    [
        new(InsurerNumberColumn, true, "8桁（国民健康保険は6桁）"),
        new(SymbolColumn, false, "被保険者証等の記号。ない場合は空欄"),
        new(NumberColumn, true, "被保険者証等の番号"),
        new(BranchColumn, false, "2桁。不明なら空欄（1人に決まれば結果に枝番が入ります）"),
        new(BirthdateColumn, true, "西暦で 19850412、1985-04-12 または 1985/04/12"),
        new(ConsentColumn, false, "限度額適用認定証・特定疾病療養受療証の情報提供に患者の同意があれば 1、なければ 0 または空欄"),
    ];

    public static readonly OnshiError FileRequired = new("bulk_file.required", "一括照会する CSV ファイルまたは XML ファイルを選択してください。", FileField);

    public static readonly OnshiError FileEmpty = new("bulk_file.empty",
        "ファイルが空です（0 バイト）。対象者の行がある CSV ファイル、または XML ファイルを選択してください。", FileField);

    public static readonly OnshiError NotCsvOrXml = new("bulk_file.kind",
        "CSV ファイル（拡張子 .csv）または XML ファイル（拡張子 .xml）を選択してください。", FileField);

    public static readonly OnshiError NotText = new("bulk_file.not_text",
        "文字ではないデータが含まれています。Excel などで「CSV」形式で保存したファイル、または XML ファイルを選択してください。", FileField);

    public static readonly OnshiError NoHeader = new("bulk_file.no_header",
        "1行目に見出し行がありません。1行目には列名（保険者番号,記号,番号,枝番,生年月日,限度額同意）を並べてください。", FileField);

    public static readonly OnshiError NoRows = new("bulk_file.no_rows", "対象者の行がありません。2行目から1人1行で入れてください。", FileField);

    public static readonly OnshiError XmlEncoding = new("bulk_file.xml_encoding",
        "XML 宣言の文字コード（encoding）は UTF-8 または Shift_JIS にしてください。", FileField);

    public static readonly OnshiError XmlNotMessage = new("bulk_file.xml_root",
        "一括照会の要求電文（OQSmuquc01req）ではありません。ルート要素を XmlMsg とし、対象者は MessageBody の QualificationConfirmSearchInfo に1人ずつ入れてください。",
        FileField);

    public static readonly OnshiError XmlShape = new("bulk_file.xml_shape",
        "要求電文の項目の形が正しくありません。MessageHeader と QualificationConfirmSearchInfo の各項目には文字だけを入れてください。", FileField);

    public static readonly OnshiError XmlNoPatients = new("bulk_file.xml_empty",
        "対象者（MessageBody の QualificationConfirmSearchInfo）が1人もありません。", FileField);

    public static readonly OnshiError XmlInstitution = new("bulk_file.xml_institution",
        "ファイルの医療機関等コード（MessageHeader の MedicalInstitutionCode）が、ログイン中の医療機関等のものと一致しません。", FileField);

    public static readonly OnshiError XmlDate = new("bulk_file.xml_date",
        "ファイルの確認日（MessageHeader の QualificationConfirmationDate）は 20261206 のように西暦8桁で入れてください。", FileField);

    public static OnshiError TooLarge(long maxBytes) => new("bulk_file.too_large",
        $"ファイルが大きすぎます（上限 {MemberImportErrors.SizeLabel(maxBytes)}）。対象者を分けて一括照会してください。", FileField);

    public static OnshiError TooMany(int max) => new("bulk_file.too_many",
        $"対象者が多すぎます。一括照会は1回あたり{max:N0}人までです。ファイルを分けて一括照会してください。", FileField);

    /// <summary>The name of the result message file of <paramref name="receptionNumber"/>, as the terminal's file exchange names it.</summary>
    public static string ResultXmlName(string receptionNumber) => $"OQSmuquc02res_{receptionNumber}.xml";

    /// <summary>The name of the result CSV of <paramref name="receptionNumber"/> (and its ASCII fallback).</summary>
    public static (string Name, string Ascii) ResultCsvName(string receptionNumber) =>
        ($"一括照会結果_{receptionNumber}.csv", $"bulk-inquiry-result_{receptionNumber}.csv");

    /// <summary>
    /// Reads <paramref name="content"/> (named <paramref name="fileName"/> by the browser) of the institution
    /// <paramref name="institutionCode"/>: its patients, or the problems of the file (nothing is to be accepted then).
    /// </summary>
    public static OpResult<BulkFileContent> Read(string? fileName, byte[]? content, string institutionCode, int maxPatients, long maxBytes = MaxFileBytes)
    {
        if (content is null || string.IsNullOrWhiteSpace(fileName))
        {
            return Fail(FileRequired);
        }

        if (content.Length == 0)
        {
            return Fail(FileEmpty);
        }

        if (content.LongLength > maxBytes)
        {
            return Fail(TooLarge(maxBytes));
        }

        var name = MemberImportService.CleanFileName(fileName);
        BulkFileKind kind;
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            kind = BulkFileKind.Csv;
        }
        else if (name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
        {
            kind = BulkFileKind.Xml;
        }
        else
        {
            return Fail(NotCsvOrXml);
        }

        // UTF-16 (and any binary) holds NUL bytes; neither accepted encoding does.
        if (content.AsSpan().IndexOf((byte)0) >= 0)
        {
            return Fail(NotText);
        }

        return kind == BulkFileKind.Csv ? ReadCsv(content, maxPatients) : ReadXml(content, institutionCode, maxPatients);
    }

    private static OpResult<BulkFileContent> ReadCsv(byte[] content, int maxPatients)
    {
        if (MemberFileEncoding.Resolve(content, MemberImportEncoding.Auto, out var decodeError) is not { } encoding)
        {
            return Fail(new OnshiError("bulk_file.decode", decodeError!, FileField));
        }

        using var reader = MemberFileEncoding.Open(content, encoding);
        var csv = new CsvRecordReader(reader);
        var header = csv.Read();
        while (header is not null && IsBlank(header))
        {
            header = csv.Read();
        }

        if (header is null)
        {
            return Fail(NoRows);
        }

        var positions = ReadHeader(header, out var headerErrors);
        if (positions is null)
        {
            return OpResult<BulkFileContent>.Fail(headerErrors);
        }

        var patients = new List<QualificationConfirmSearchInfo>();
        var problems = new List<string>();
        var problemRows = 0;
        for (var record = csv.Read(); record is not null; record = csv.Read())
        {
            if (IsBlank(record))
            {
                continue;
            }

            string? problem = null;
            if (record.Error is not null)
            {
                problem = record.Error;
            }
            else if (record.Fields.Count != header.Fields.Count)
            {
                problem = $"列の数が見出し行と違います（見出し行は{header.Fields.Count}列、この行は{record.Fields.Count}列）。値にカンマがある場合は、値全体を引用符（\"）で囲んでください。";
            }

            if (problem is not null)
            {
                problemRows++;
                if (problems.Count < MaxListedErrors)
                {
                    problems.Add($"{record.Row.ToString(CultureInfo.InvariantCulture)}行目: {problem}");
                }

                continue;
            }

            if (patients.Count == maxPatients)
            {
                return Fail(TooMany(maxPatients));
            }

            string? Cell(string column)
            {
                if (!positions.TryGetValue(column, out var i))
                {
                    return null;
                }

                var value = TextInput.NormalizeCode(record.Fields[i].Trim())?.Trim();
                return string.IsNullOrEmpty(value) ? null : value;
            }

            var birthdate = Cell(BirthdateColumn);
            patients.Add(new QualificationConfirmSearchInfo
            {
                InsurerNumber = Cell(InsurerNumberColumn),
                InsuredCardSymbol = Cell(SymbolColumn),
                InsuredIdentificationNumber = Cell(NumberColumn),
                InsuredBranchNumber = Cell(BranchColumn),
                Birthdate = DateInput.TryParse(birthdate, out var born) ? QualificationAnswer.Wire(born) : birthdate,
                LimitApplicationCertificateRelatedConsFlg = Cell(ConsentColumn),
            });
        }

        if (problems.Count > 0)
        {
            if (problemRows > problems.Count)
            {
                problems.Add($"ほかにも{(problemRows - problems.Count).ToString("N0", CultureInfo.InvariantCulture)}行に同じような誤りがあります。");
            }

            return OpResult<BulkFileContent>.Fail([.. problems.Select(p => new OnshiError("bulk_file.row", p, FileField))]);
        }

        return patients.Count == 0
            ? Fail(NoRows)
            : OpResult<BulkFileContent>.Success(new BulkFileContent(BulkFileKind.Csv, encoding, new BulkInquiryService.Header(null, null), patients));
    }

    /// <summary>The header's columns and their positions, or the errors that name each unknown, repeated or missing column.</summary>
    private static Dictionary<string, int>? ReadHeader(CsvRecord header, out IReadOnlyList<OnshiError> errors)
    {
        var list = new List<OnshiError>();
        errors = list;
        if (header.Error is not null)
        {
            list.Add(new OnshiError("bulk_file.header", "1行目（見出し行）: " + header.Error, FileField));
            return null;
        }

        var names = header.Fields.Select(f => TextInput.NormalizeCode(f.Trim())?.Trim() ?? "").ToList();
        if (names.All(n => Columns.All(c => c.Name != n)))
        {
            // Likely a file without a header row: said without quoting its first row (it would be a patient's keys).
            list.Add(NoHeader);
            return null;
        }

        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var column = Columns.FirstOrDefault(c => c.Name == names[i]);
            if (column is null)
            {
                list.Add(new OnshiError("bulk_file.header", names[i].Length == 0
                    ? $"見出し行の{i + 1}列目が空です。列名を入れるか、その列を削除してください。"
                    : $"見出し行の{i + 1}列目は一括照会の列名ではありません。列名は 保険者番号,記号,番号,枝番,生年月日,限度額同意 のいずれかにしてください。", FileField));
            }
            else if (!positions.TryAdd(column.Name, i))
            {
                list.Add(new OnshiError("bulk_file.header", $"見出し行に列「{column.Name}」が2回あります（{i + 1}列目）。", FileField));
            }
        }

        foreach (var missing in Columns.Where(c => c.Required && !positions.ContainsKey(c.Name)))
        {
            list.Add(new OnshiError("bulk_file.header", $"必須の列「{missing.Name}」が見出し行にありません。", FileField));
        }

        return list.Count == 0 ? positions : null;
    }

    private static bool IsBlank(CsvRecord record) => record.Error is null && record.Fields.All(f => f.Trim().Length == 0);

    private static OpResult<BulkFileContent> ReadXml(byte[] content, string institutionCode, int maxPatients)
    {
        var (encoding, encodingError) = XmlEncodingOf(content);
        if (encodingError is not null)
        {
            return Fail(encodingError);
        }

        if (MemberFileEncoding.Resolve(content, encoding, out _) is null)
        {
            return Fail(new OnshiError("bulk_file.decode", encoding == MemberImportEncoding.ShiftJis
                ? "XML 宣言の文字コード（Shift_JIS）として読めない文字があります。ファイルを保存した文字コードと XML 宣言の encoding が一致しているか確認してください。"
                : "UTF-8 として読めない文字があります。Shift_JIS で保存したファイルなら、XML 宣言に encoding=\"Shift_JIS\" と書いてください。", FileField));
        }

        XElement root;
        try
        {
            // The declaration's encoding was applied above (the text reader makes the parser ignore it); no DTD, no entities
            // from outside, no external resolution.
            using var text = MemberFileEncoding.Open(content, encoding);
            using var xml = XmlReader.Create(text, WireXml.ReaderSettings(MaxFileBytes * 2));
            root = XDocument.Load(xml).Root!;
        }
        catch (XmlException e)
        {
            // Where, never what: the parser's own message may quote the file.
            return Fail(new OnshiError("bulk_file.xml", e.LineNumber > 0
                ? $"XML として読めません（{e.LineNumber.ToString(CultureInfo.InvariantCulture)}行目 {e.LinePosition.ToString(CultureInfo.InvariantCulture)}文字目付近）。タグの閉じ忘れや記号の誤りがないか確認してください。"
                : "XML として読めません。タグの閉じ忘れや記号の誤りがないか確認してください。", FileField));
        }

        if (root.Name.LocalName != WireXml.RootName || root.Element("MessageBody") is not { } body)
        {
            return Fail(XmlNotMessage);
        }

        var count = body.Elements("QualificationConfirmSearchInfo").Count();
        if (count == 0)
        {
            return Fail(XmlNoPatients);
        }

        if (count > maxPatients)
        {
            return Fail(TooMany(maxPatients));
        }

        BulkRequestMessage? message;
        try
        {
            message = WireXml.Deserialize<BulkRequestMessage>(root);
        }
        catch (JsonException)
        {
            return Fail(XmlShape);
        }

        var head = message?.MessageHeader ?? new RequestHeader();
        var code = TextInput.NormalizeCode(head.MedicalInstitutionCode)?.Trim();
        if (!string.IsNullOrEmpty(code) && code != institutionCode)
        {
            return Fail(XmlInstitution);
        }

        var date = TextInput.NormalizeCode(head.QualificationConfirmationDate)?.Trim();
        if (!string.IsNullOrEmpty(date) && !DateInput.TryParse(date, out _))
        {
            return Fail(XmlDate);
        }

        var patients = message?.MessageBody.QualificationConfirmSearchInfo ?? [];
        return OpResult<BulkFileContent>.Success(new BulkFileContent(BulkFileKind.Xml, encoding,
            new BulkInquiryService.Header(string.IsNullOrEmpty(date) ? null : date, head.ArbitraryFileIdentifier), patients));
    }

    /// <summary>The encoding the XML declaration names (none: UTF-8; a UTF-8 BOM wins), or why it cannot be read.</summary>
    private static (MemberImportEncoding Encoding, OnshiError? Error) XmlEncodingOf(byte[] content)
    {
        if (content.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]))
        {
            return (MemberImportEncoding.Utf8, null);
        }

        // The declaration is ASCII in both encodings.
        var head = Encoding.ASCII.GetString(content, 0, Math.Min(content.Length, 256));
        if (!head.StartsWith("<?xml", StringComparison.Ordinal))
        {
            return (MemberImportEncoding.Utf8, null);
        }

        var end = head.IndexOf("?>", StringComparison.Ordinal);
        var match = DeclaredEncoding().Match(end < 0 ? head : head[..end]);
        if (!match.Success)
        {
            return (MemberImportEncoding.Utf8, null);
        }

        return match.Groups[1].Value.ToUpperInvariant() switch
        {
            "UTF-8" or "UTF8" => (MemberImportEncoding.Utf8, null),
            "SHIFT_JIS" or "SHIFT-JIS" or "SJIS" or "X-SJIS" or "WINDOWS-31J" or "CP932" or "MS932" => (MemberImportEncoding.ShiftJis, null),
            _ => (MemberImportEncoding.Utf8, XmlEncoding),
        };
    }

    [GeneratedRegex("""encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""", RegexOptions.CultureInvariant)]
    private static partial Regex DeclaredEncoding();

    private static OpResult<BulkFileContent> Fail(OnshiError error) => OpResult<BulkFileContent>.Fail(error);
}
