using System;
using Xunit;

namespace FastRnn.Tests.Reliability;

/// <summary>Asserts that a call is refused with the right exception and a message naming the expected and actual values.</summary>
internal static class Misuse
{
    public static void Refused<TException>(Action call, params string[] messageParts)
        where TException : Exception
    {
        TException e = Assert.ThrowsAny<TException>(call);
        foreach (string part in messageParts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    public static void Refused(Action call, params string[] messageParts) => Refused<ArgumentException>(call, messageParts);
}
