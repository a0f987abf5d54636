using Onshi.Core.Common;

namespace Onshi.Core.Features.Qualifications;

/// <summary>The expected failures of 資格確認, with the messages the reception desk reads.</summary>
public static class QualificationErrors
{
    public const string SymbolField = "InsuredCardSymbol";
    public const string NumberField = "InsuredIdentificationNumber";
    public const string BranchField = "InsuredBranchNumber";
    public const string BirthdateField = "Birthdate";
    public const string DateField = "QualificationConfirmationDate";

    /// <summary>The longest 記号 and 番号 accepted (the card's fields are at most 38 and 20 characters wide).</summary>
    public const int MaxSymbolLength = 38;

    public const int MaxNumberLength = 20;

    /// <summary>The longest <c>ArbitraryIdentifier</c> a client may send to have it echoed.</summary>
    public const int MaxArbitraryIdentifierLength = 100;

    /// <summary>Whether a client's own identifier (<c>ArbitraryIdentifier</c>, <c>ArbitraryFileIdentifier</c>) may be kept and echoed: absent, or at most 100 characters without a control character.</summary>
    public static bool IsAcceptableIdentifier(string? value) =>
        value is null || (value.Length <= MaxArbitraryIdentifierLength && !value.Any(TextInput.IsForbidden));

    public static readonly OnshiError SymbolTooLong = new("qualification.symbol", $"記号は{MaxSymbolLength}文字以内で入力してください。", SymbolField);
    public static readonly OnshiError SymbolForbidden = new("qualification.symbol_chars", "記号に使用できない文字が含まれています。", SymbolField);
    public static readonly OnshiError NumberRequired = new("qualification.number_required", "番号を入力してください。", NumberField);
    public static readonly OnshiError NumberFormat = new("qualification.number",
        $"番号は英数字{MaxNumberLength}文字以内で入力してください（被保険者証等の「番号」欄）。", NumberField);
    public static readonly OnshiError BranchFormat = new("qualification.branch", "枝番は数字2桁で入力してください（例: 01）。わからない場合は空欄のまま照会できます。", BranchField);
    public static readonly OnshiError BirthdateRequired = new("qualification.birthdate_required", "生年月日を入力してください。", BirthdateField);
    public static readonly OnshiError BirthdateFormat = new("qualification.birthdate", "生年月日は「1980-04-01」や「19800401」の形で入力してください。", BirthdateField);
    public static readonly OnshiError BirthdateRange = new("qualification.birthdate_range", "生年月日は1900年以降、確認日以前の日付を入力してください。", BirthdateField);
    public static readonly OnshiError DateFormat = new("qualification.date", "確認日は「2026-12-06」や「20261206」の形で入力してください（空欄の場合は本日）。", DateField);
    public static readonly OnshiError DateFuture = new("qualification.date_future", "確認日に未来の日付は指定できません。", DateField);
    public static readonly OnshiError DateTooOld = new("qualification.date_old", "確認日は2000年以降の日付を入力してください。", DateField);
    public static readonly OnshiError ArbitraryIdentifier = new("qualification.arbitrary_identifier",
        $"任意識別子（ArbitraryIdentifier）は{MaxArbitraryIdentifierLength}文字以内で、制御文字を含まない文字列にしてください。", "ArbitraryIdentifier");
    public static readonly OnshiError ConsentFlag = new("qualification.consent",
        "限度額適用認定証関連情報の提供への同意（LimitApplicationCertificateRelatedConsFlg）は「0」または「1」を指定してください。");
    public static readonly OnshiError NotPermitted = new("qualification.not_permitted", "このアカウントの権限区分では資格確認を行えません。");
}
