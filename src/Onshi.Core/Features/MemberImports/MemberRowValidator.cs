using System.Globalization;
using System.Text;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Core.Features.MemberImports;

/// <summary>One wrong value of a member file: its row (the header is row 1), the column and what is wrong — never the value.</summary>
public sealed record MemberRowError(int Row, string Column, string Message);

/// <summary>
/// Checks one row of a member file and makes it a qualification, with the rules of the lookup's own validators
/// (<see cref="InsurerNumber.TryParse"/>, <see cref="DateInput"/>, <see cref="TextInput.NormalizeCode"/> for code fields) and the
/// code lists of §11.3. The messages name the column and what is wrong, never the value (it may be a member's data).
/// </summary>
public sealed class MemberRowValidator(MemberHeader header, DateOnly today)
{
    /// <summary>The largest 個人識別番号: imported persons stay below the synthetic generator's range (9,000,000,000,000 …).</summary>
    public const long MaxPersonKey = 999_999_999_999;

    private static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>The row as a qualification (with the 保険者名 it gives, if any), or null with its errors added.</summary>
    public InsuredQualification? Validate(CsvRecord record, List<MemberRowError> errors, out string? insurerName)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(errors);
        insurerName = null;
        var before = errors.Count;
        var row = record.Row;
        if (record.Error is not null)
        {
            errors.Add(new MemberRowError(row, "", record.Error));
            return null;
        }

        if (record.Fields.Count != header.FieldCount)
        {
            errors.Add(new MemberRowError(row, "", $"列の数が見出し行と違います（見出し行は{header.FieldCount}列、この行は{record.Fields.Count}列）。"));
            return null;
        }

        void Error(MemberColumn column, string message) => errors.Add(new MemberRowError(row, column.Display, message));
        string Code(MemberColumn column) => (TextInput.NormalizeCode(header.Value(record.Fields, column)) ?? "").Trim();
        string? Text(MemberColumn column, int max)
        {
            var value = header.Value(record.Fields, column).Trim();
            if (value.Length == 0)
            {
                if (column.Required)
                {
                    Error(column, "必須です。値を入れてください。");
                }

                return null;
            }

            if (value.Any(TextInput.IsForbidden))
            {
                Error(column, "使用できない文字（制御文字など）が含まれています。");
                return null;
            }

            if (value.Length > max)
            {
                Error(column, $"{max}文字以内にしてください。");
                return null;
            }

            return value;
        }

        DateOnly? Date(MemberColumn column)
        {
            var value = Code(column);
            if (value.Length == 0)
            {
                if (column.Required)
                {
                    Error(column, "必須です。日付を「2026/12/01」または「20261201」の形で入れてください。");
                }

                return null;
            }

            if (!DateInput.TryParse(value, out var date))
            {
                Error(column, "日付は「2026/12/01」または「20261201」の形で入れてください（存在する日付に限ります）。");
                return null;
            }

            if (date < Earliest)
            {
                Error(column, "1900年1月1日以降の日付にしてください。");
                return null;
            }

            return date;
        }

        int? CodeOf(MemberColumn column, IReadOnlyCollection<int> allowed, string listed, int? fallback)
        {
            var value = Code(column);
            if (value.Length == 0)
            {
                if (fallback is null)
                {
                    Error(column, $"必須です。{listed}のいずれかを入れてください。");
                }

                return fallback;
            }

            if (value.Length <= 3 && value.All(char.IsAsciiDigit) && int.Parse(value, CultureInfo.InvariantCulture) is var n && allowed.Contains(n))
            {
                return n;
            }

            Error(column, $"{listed}のいずれかを入れてください。");
            return null;
        }

        // 個人識別番号
        long personId = 0;
        var personKey = Code(MemberColumns.PersonKey);
        if (personKey.Length == 0)
        {
            Error(MemberColumns.PersonKey, "必須です。同じ人に同じ番号（数字12桁以内）を入れてください。");
        }
        else if (personKey.Length > 12 || !personKey.All(char.IsAsciiDigit) || (personId = long.Parse(personKey, CultureInfo.InvariantCulture)) is < 1 or > MaxPersonKey)
        {
            Error(MemberColumns.PersonKey, "1〜999999999999 の数字（12桁以内）にしてください。");
        }

        // 保険者番号, 保険者名
        string? insurer = null;
        var insurerText = Code(MemberColumns.InsurerNumber);
        if (insurerText.Length == 0)
        {
            Error(MemberColumns.InsurerNumber, "必須です。保険者番号（8桁、国民健康保険は6桁）を入れてください。");
        }
        else if (!InsurerNumber.TryParse(insurerText, out insurer, out _, out var insurerError))
        {
            Error(MemberColumns.InsurerNumber, insurerError!.Message);
        }

        insurerName = Text(MemberColumns.InsurerName, 100);

        var card = CodeOf(MemberColumns.CardClassification, [1, 2, 3, 4, 5, 6, 7], "01（一般）〜07（自衛官）", (int)InsuredCardClassification.General);

        // 記号, 番号, 枝番
        var symbol = Code(MemberColumns.Symbol);
        if (symbol.Any(TextInput.IsForbidden))
        {
            Error(MemberColumns.Symbol, "使用できない文字（制御文字など）が含まれています。");
        }
        else if (symbol.Length > QualificationErrors.MaxSymbolLength)
        {
            Error(MemberColumns.Symbol, $"{QualificationErrors.MaxSymbolLength}文字以内にしてください。");
        }

        var number = Code(MemberColumns.Number);
        if (number.Length == 0)
        {
            Error(MemberColumns.Number, "必須です。被保険者証等の「番号」を入れてください。");
        }
        else if (number.Length > QualificationErrors.MaxNumberLength || !number.All(char.IsAsciiLetterOrDigit))
        {
            Error(MemberColumns.Number, $"英数字{QualificationErrors.MaxNumberLength}文字以内にしてください。");
        }

        var branch = Code(MemberColumns.Branch);
        if (branch.Length == 0)
        {
            Error(MemberColumns.Branch, "必須です。数字2桁（例: 00、01）を入れてください。");
        }
        else if (branch.Length > 2 || !branch.All(char.IsAsciiDigit))
        {
            Error(MemberColumns.Branch, "数字2桁（例: 00、01）にしてください。");
        }
        else
        {
            branch = branch.PadLeft(2, '0');
        }

        var family = CodeOf(MemberColumns.PersonalFamily, [1, 2], "1（本人）、2（家族）", null);

        // 氏名
        var insuredName = Text(MemberColumns.InsuredName, 100);
        var name = Text(MemberColumns.Name, 100);
        var nameOfOther = Text(MemberColumns.NameOfOther, 100);
        var kana = Kana(MemberColumns.NameKana);
        var otherKana = Kana(MemberColumns.NameOfOtherKana);
        var sex = CodeOf(MemberColumns.Sex, [1, 2, 3], "1（男）、2（女）、3（未設定）", null);

        var birth = Date(MemberColumns.Birthdate);
        if (birth > today)
        {
            Error(MemberColumns.Birthdate, "未来の日付は入れられません。");
            birth = null;
        }

        // 郵便番号, 住所
        var post = Code(MemberColumns.PostNumber).Replace("-", "", StringComparison.Ordinal);
        if (post.Length > 0 && (post.Length != 7 || !post.All(char.IsAsciiDigit)))
        {
            Error(MemberColumns.PostNumber, "数字7桁（例: 100-0013 または 1000013）にしてください。");
        }

        var address = Text(MemberColumns.Address, 200);

        // 資格
        var qualified = Date(MemberColumns.QualificationDate);
        if (qualified is { } q && birth is { } b && q < b)
        {
            Error(MemberColumns.QualificationDate, "生年月日より前の日付は入れられません。");
        }

        var lost = Date(MemberColumns.DisqualificationDate);
        if (lost is { } l && qualified is { } q2 && l <= q2)
        {
            Error(MemberColumns.DisqualificationDate, "資格取得年月日より後の日付にしてください（喪失日は資格がなくなる最初の日です）。");
        }

        var reasonText = Code(MemberColumns.ReasonOfLoss);
        ReasonOfLoss? reason = null;
        if (reasonText.Length > 0)
        {
            reason = CodeOf(MemberColumns.ReasonOfLoss, [1, 2, 3, 99], "01（死亡）、02（生活保護受給開始）、03（医療保険等の資格取得）、99（その他）", null) is { } r
                ? (ReasonOfLoss)r : null;
            if (reason is not null && lost is null && !errors.Skip(before).Any(e => e.Column == MemberColumns.DisqualificationDate.Display))
            {
                Error(MemberColumns.ReasonOfLoss, "資格喪失年月日がない行には入れられません。");
            }
        }
        else if (lost is not null)
        {
            Error(MemberColumns.ReasonOfLoss, "資格喪失年月日がある行には必須です。01（死亡）、02（生活保護受給開始）、03（医療保険等の資格取得）、99（その他）のいずれかを入れてください。");
        }

        // 証
        var issued = Date(MemberColumns.CardIssuanceDate);
        var validFrom = Date(MemberColumns.CardValidDate);
        var validTo = Date(MemberColumns.CardExpirationDate);
        if (validFrom is { } vf && validTo is { } vt && vt < vf)
        {
            Error(MemberColumns.CardExpirationDate, "証の有効開始年月日より前の日付は入れられません。");
        }

        var ratio = Percent(MemberColumns.Ratio, [10, 20, 30], "010（1割）、020（2割）、030（3割）");

        // 高齢受給者証: the four columns together or none.
        var elderlyColumns = new[] { MemberColumns.ElderlyDate, MemberColumns.ElderlyStart, MemberColumns.ElderlyEnd, MemberColumns.ElderlyRatio };
        var elderlyGiven = elderlyColumns.Where(c => Code(c).Length > 0).ToList();
        DateOnly? elderlyDate = null, elderlyStart = null, elderlyEnd = null;
        int? elderlyRatio = null;
        if (elderlyGiven.Count is > 0 and < 4)
        {
            foreach (var missing in elderlyColumns.Except(elderlyGiven))
            {
                Error(missing, "高齢受給者証の4列（交付年月日、有効開始年月日、有効終了年月日、負担割合）はすべて入れるか、すべて空にしてください。");
            }
        }
        else if (elderlyGiven.Count == 4)
        {
            elderlyDate = Date(MemberColumns.ElderlyDate);
            elderlyStart = Date(MemberColumns.ElderlyStart);
            elderlyEnd = Date(MemberColumns.ElderlyEnd);
            elderlyRatio = Percent(MemberColumns.ElderlyRatio, [20, 30], "020（2割）、030（3割）");
            if (elderlyStart is { } es && elderlyEnd is { } ee && ee < es)
            {
                Error(MemberColumns.ElderlyEnd, "高齢受給者証有効開始年月日より前の日付は入れられません。");
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new InsuredQualification
        {
            PersonId = personId,
            InsurerNumber = insurer!,
            Symbol = symbol,
            Number = number,
            Branch = branch,
            Birthdate = birth!.Value,
            CardClassification = (InsuredCardClassification)card!.Value,
            PersonalFamily = (PersonalFamily)family!.Value,
            InsuredName = insuredName,
            Name = name!,
            NameOfOther = nameOfOther,
            NameKana = kana!,
            NameOfOtherKana = otherKana,
            Sex = (Sex)sex!.Value,
            PostNumber = post.Length > 0 ? post : null,
            Address = address,
            QualificationDate = qualified!.Value,
            DisqualificationDate = lost,
            ReasonOfLoss = reason,
            CardIssuanceDate = issued,
            CardValidDate = validFrom,
            CardExpirationDate = validTo,
            ContributionPercent = ratio!.Value,
            ElderlyCertificateDate = elderlyDate,
            ElderlyValidStartDate = elderlyStart,
            ElderlyValidEndDate = elderlyEnd,
            ElderlyContributionPercent = elderlyRatio,
        };

        string? Kana(MemberColumn column)
        {
            var raw = header.Value(record.Fields, column).Trim();
            if (raw.Length == 0)
            {
                if (column.Required)
                {
                    Error(column, "必須です。全角カタカナで入れてください。");
                }

                return null;
            }

            // Half-width katakana (ｶﾅ) and full-width spaces are folded as an IME would type them.
            var value = raw.Normalize(NormalizationForm.FormKC);
            if (!value.All(IsKana))
            {
                Error(column, "全角カタカナ（と空白、「ー」「・」）で入れてください。");
                return null;
            }

            if (value.Length > 100)
            {
                Error(column, "100文字以内にしてください。");
                return null;
            }

            return value;
        }

        int? Percent(MemberColumn column, IReadOnlyCollection<int> allowed, string listed)
        {
            var value = Code(column);
            if (value.Length == 0)
            {
                Error(column, $"必須です。{listed}のいずれかを入れてください。");
                return null;
            }

            if (value.Length <= 3 && value.All(char.IsAsciiDigit) && int.Parse(value, CultureInfo.InvariantCulture) is var n && allowed.Contains(n))
            {
                return n;
            }

            Error(column, $"割合は百分率の数字で、{listed}のいずれかにしてください。");
            return null;
        }
    }

    /// <summary>A character of a カナ氏名: katakana (with ー and ・), or a space between family and given name.</summary>
    public static bool IsKana(char c) => c is >= '\u30A1' and <= '\u30FA' or '\u30FC' or '\u30FB' or '\u30FD' or '\u30FE' or ' ' or '\u3000';
}
