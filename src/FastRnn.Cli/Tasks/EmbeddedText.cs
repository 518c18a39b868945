namespace FastRnn.Cli.Tasks;

/// <summary>The small text the character language model learns (written for this project; no download).</summary>
internal static class EmbeddedText
{
    public const string Value = """
        The river runs past the mill and the mill turns the stone and the stone grinds the grain.
        In the morning the miller opens the door, looks at the water, and listens to the wheel.
        When the water is high the wheel runs fast, and when the water is low the wheel runs slow.
        The miller knows the river as a sailor knows the sea: by its sound, by its colour, by its mood.
        Every day the farmers bring their grain, and every day the miller gives them flour and bread.
        The children come to watch the wheel and to throw small stones into the stream below the mill.
        In the evening the miller closes the door, sits by the fire, and writes the day into his book.
        He writes how much grain came in, how much flour went out, and how the river ran that day.
        The book is old and the pages are thin, but every line in it is a line of the river's story.
        One winter the river froze and the wheel stood still, and the miller walked on the water.
        He listened to the ice and he heard the river running under it, slow and dark and patient.
        In the spring the ice broke, the water rose, and the wheel turned again with a great noise.
        The farmers came with their grain, the children came with their stones, and the miller smiled.
        A river remembers nothing and forgets nothing; it only runs, and the mill only turns.
        The miller is old now, and his daughter opens the door in the morning and listens to the wheel.
        She knows the river as her father knew it: by its sound, by its colour, by its mood.
        """;
}
