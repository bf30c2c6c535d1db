"""Selection files and ranking documents (formats.md): validate, read, write."""
