using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastRnn.Cli.Output;

/// <summary>
/// A table border for plain text: no box, columns separated by spaces and a rule of dashes under the
/// header, so redirected tables read like the aligned text a log or a grep expects.
/// </summary>
internal sealed class PlainTableBorder : TableBorder
{
    /// <summary>The one instance (the border has no state).</summary>
    public static PlainTableBorder Instance { get; } = new();

    /// <inheritdoc/>
    public override string GetPart(TableBorderPart part) => part switch
    {
        TableBorderPart.HeaderBottom or TableBorderPart.HeaderBottomSeparator => "-",
        TableBorderPart.HeaderSeparator or TableBorderPart.CellSeparator => " ",
        _ => string.Empty,
    };
}
