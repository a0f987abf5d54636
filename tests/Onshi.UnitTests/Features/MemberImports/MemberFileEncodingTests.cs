using System.Text;
using Onshi.Core.Features.MemberImports;
using Shouldly;

namespace Onshi.UnitTests.Features.MemberImports;

public sealed class MemberFileEncodingTests
{
    private const string Text = "氏名,カナ氏名\r\n髙橋 﨑子,タカハシ サキコ\r\n";

    private static byte[] ShiftJis(string text) => MemberFileEncoding.ShiftJis.GetBytes(text);

    [Fact]
    public void Auto_Bom_Utf8_ShiftJis_AreTold()
    {
        byte[] bom = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Text)];
        MemberFileEncoding.Resolve(bom, MemberImportEncoding.Auto, out _).ShouldBe(MemberImportEncoding.Utf8);
        MemberFileEncoding.Resolve(Encoding.UTF8.GetBytes(Text), MemberImportEncoding.Auto, out _).ShouldBe(MemberImportEncoding.Utf8);
        MemberFileEncoding.Resolve(ShiftJis(Text), MemberImportEncoding.Auto, out var error).ShouldBe(MemberImportEncoding.ShiftJis, error);
    }

    [Fact]
    public void ShiftJis_IsCp932_WithItsExtensions_AndDecodesBack()
    {
        // 髙 and 﨑 are CP932's IBM extensions (FBFC, FAB1): what Windows and Excel write.
        var bytes = ShiftJis(Text);
        bytes.ShouldContain((byte)0xFB);
        using var reader = MemberFileEncoding.Open(bytes, MemberImportEncoding.ShiftJis);
        reader.ReadToEnd().ShouldBe(Text);
    }

    [Fact]
    public void ShiftJis_NecSelectedCodes_ReadAsTheirCharacters()
    {
        // 髙 EEE0, 﨑 ED95, ⅰ EEEF, ￢ EEF9, ≒ 8790, ㈱ FA58: how Python, Java and older systems write them; .NET alone refuses them.
        byte[] nec = [0xEE, 0xE0, 0xED, 0x95, 0xEE, 0xEF, 0xEE, 0xF9, 0x87, 0x90, 0xFA, 0x58, 0x83, 0x54];
        MemberFileEncoding.Resolve(nec, MemberImportEncoding.Auto, out var error).ShouldBe(MemberImportEncoding.ShiftJis, error);
        using var reader = MemberFileEncoding.Open(nec, MemberImportEncoding.ShiftJis);
        reader.ReadToEnd().ShouldBe("髙﨑ⅰ￢≒㈱サ");
        nec[0].ShouldBe((byte)0xEE); // the stored bytes stay as uploaded
    }

    [Fact]
    public void Bom_IsSkipped_WhenReading()
    {
        byte[] bom = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Text)];
        using var reader = MemberFileEncoding.Open(bom, MemberImportEncoding.Utf8);
        reader.ReadToEnd().ShouldBe(Text);
    }

    [Fact]
    public void WrongChoice_IsAClearError()
    {
        MemberFileEncoding.Resolve(ShiftJis(Text), MemberImportEncoding.Utf8, out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("UTF-8 として読めないバイトがあります（先頭から 1 バイト目付近）");
        byte[] bom = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Text)];
        MemberFileEncoding.Resolve(bom, MemberImportEncoding.ShiftJis, out error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("BOM");
    }

    [Fact]
    public void NeitherEncoding_IsRefused()
    {
        // 0x81 0x20 is a lead byte without a valid trail byte in CP932, and not UTF-8 either.
        MemberFileEncoding.Resolve([0x41, 0x81, 0x20, 0x42], MemberImportEncoding.Auto, out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("文字コードを判別できません");
    }
}
