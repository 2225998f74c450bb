"""镇务 Zhenwu: a town government's accountability work, in software."""
