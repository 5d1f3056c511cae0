# Turns content/**/* (instruments, and later articles, codes, crisis resources) into a C++
# table sorted by path, so the binary carries its content. Paths are relative to content/.
file(GLOB_RECURSE files RELATIVE "${DIR}" "${DIR}/*.json" "${DIR}/*.md" "${DIR}/*.tsv")
list(SORT files)
set(body "#include \"platform/content.h\"\nnamespace tend::content {\nconst std::vector<File>& embedded() {\n  static const std::vector<File> all = {\n")
foreach(f ${files})
  file(READ "${DIR}/${f}" text)
  set(body "${body}    {\"${f}\", R\"tend_content(${text})tend_content\"},\n")
endforeach()
set(body "${body}  };\n  return all;\n}\n}  // namespace tend::content\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
