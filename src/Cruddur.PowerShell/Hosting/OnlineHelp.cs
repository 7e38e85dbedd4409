namespace Cruddur.PowerShell.Hosting;

/// <summary>Where Get-Help -Online goes: the cmdlet's help source in the repository named by Cruddur.psd1's ProjectUri.</summary>
internal static class OnlineHelp
{
    public const string Docs = "https://github.com/cruddur/Cruddur.PowerShell/blob/main/docs/en-US/";
}
