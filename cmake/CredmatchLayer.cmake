# credmatch_layer(<folder> [BELOW <folders>...] [SOURCES ...]): the library credmatch_<folder>
# of one layer (README.md, "Architecture"). Its sources see only the headers of <folder> and of
# the layers it sits on: a directory of links to exactly those folders is its include path, so
# including a header of a higher layer fails to compile ("No such file or directory"), and the
# library links only the layers below it.
function(credmatch_layer folder)
  cmake_parse_arguments(ARG "" "" "BELOW;SOURCES" ${ARGN})
  set(target credmatch_${folder})
  set(root ${CMAKE_BINARY_DIR}/layer_include/${folder})
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root})
  foreach(visible IN LISTS folder ARG_BELOW)
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${visible} ${root}/${visible} SYMBOLIC)
  endforeach()
  add_library(${target} ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${root})
  target_link_libraries(${target} PUBLIC credmatch_options)
  foreach(below IN LISTS ARG_BELOW)
    target_link_libraries(${target} PUBLIC credmatch_${below})
  endforeach()
endfunction()
