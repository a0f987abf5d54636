using Onshi.Core.Common;

namespace Onshi.Core.Features.MemberImports;

/// <summary>The expected failures of an upload, with the messages the operator reads on the form.</summary>
public static class MemberImportErrors
{
    public const string FileField = "File";
    public const string EncodingField = "Encoding";

    public static readonly OnshiError NotPermitted = new("member_import.not_permitted", "この操作を行う権限がありません。");
    public static readonly OnshiError FileRequired = new("member_import.file_required", "取り込む CSV ファイルを選択してください。", FileField);
    public static readonly OnshiError FileEmpty = new("member_import.file_empty", "ファイルが空です（0 バイト）。加入者の行がある CSV ファイルを選択してください。", FileField);
    public static readonly OnshiError NotCsvName = new("member_import.not_csv", "CSV ファイル（拡張子 .csv）を選択してください。", FileField);
    public static readonly OnshiError NotText = new("member_import.not_text",
        "CSV ファイルではありません（文字ではないデータが含まれています）。Excel などで「CSV」形式で保存したファイルを選択してください。", FileField);
    public static readonly OnshiError EncodingUnknown = new("member_import.encoding", "文字コードを「自動判別」「UTF-8」「Shift_JIS」から選択してください。", EncodingField);
    public static readonly OnshiError NoRows = new("member_import.no_rows", "加入者の行がありません。2行目から1資格1行で入れてください。", FileField);

    public static OnshiError TooLarge(long maxBytes) => new("member_import.too_large",
        $"ファイルが大きすぎます（上限 {SizeLabel(maxBytes)}）。ファイルを分けて取り込んでください。", FileField);

    public static OnshiError Encoding(string message) => new("member_import.decode", message, FileField);

    public static OnshiError Header(string message) => new("member_import.header", message, FileField);

    /// <summary>「200 MB」, 「512 KB」: the limit as the form's hint and message say it.</summary>
    public static string SizeLabel(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB"
        : $"{Math.Max(1, bytes / 1024)} KB";
}
