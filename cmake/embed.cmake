# Writes a C++ source that holds the text of IN as `extern const char NAME[]`, in the
# namespace daftar::data. Usage: cmake -DIN=file -DOUT=file.cpp -DNAME=ident -P embed.cmake
file(READ "${IN}" text)
set(delim "daftar_embed")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n"
  "namespace daftar::data {\n"
  "extern const char ${NAME}[];\n"
  "const char ${NAME}[] = R\"${delim}(${text})${delim}\";\n"
  "}  // namespace daftar::data\n")
