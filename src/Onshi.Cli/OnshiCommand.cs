namespace Onshi.Cli;

/// <summary>The <c>onshi</c> command's entry point.</summary>
internal static class OnshiCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("onshi: no commands yet");
        return Task.FromResult(args.Length == 0 ? 1 : 2);
    }
}
