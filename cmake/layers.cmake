# The layers of ddb, lowest first. A layer may use the layers before it and
# no other. tests/layering.py reads this list (the one table of layers);
# CMakeLists.txt builds one library per entry, each linking the one before.
set(DDB_LAYERS core credentials sigv4 http aws value model client ops es)
