# gen_carbon_intensity.cmake -- turn configs/carbon_intensity.csv into the C table that
# configs/region.c searches, so the binary never depends on finding the CSV at run time.
#
# Run by the build (see configs/CMakeLists.txt) as
#   cmake -DIN=carbon_intensity.csv -DOUT=carbon_intensity_table.c -P gen_carbon_intensity.cmake
# Plain CMake, so building needs nothing beyond CMake itself.  Every data line is checked
# against the column format (iso3,iso2,country,g_co2e_per_kwh,year,source); a bad line, a
# duplicate code or a missing WLD (world) row stops the build and names the line.  The output
# is written only when its content changes, so an unchanged table does not recompile.
cmake_minimum_required(VERSION 3.18)

if(NOT DEFINED IN OR NOT DEFINED OUT)
  message(FATAL_ERROR "usage: cmake -DIN=carbon_intensity.csv -DOUT=table.c -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

# Lines that are not comments; a comment line may hold anything.
file(STRINGS "${IN}" lines REGEX "^[^#]")
list(LENGTH lines n)
if(n LESS 2)
  message(FATAL_ERROR "${IN}: expected a header line and at least one row")
endif()
list(GET lines 0 header)
if(NOT header STREQUAL "iso3,iso2,country,g_co2e_per_kwh,year,source")
  message(FATAL_ERROR "${IN}: header must be 'iso3,iso2,country,g_co2e_per_kwh,year,source', got '${header}'")
endif()
list(REMOVE_AT lines 0)

# A field holds no comma, quote, backslash or semicolon (the last would also split the line
# into two CMake list elements).
set(text "[^,\"\\\\;]")
set(row_re "^([A-Z][A-Z][A-Z]),([A-Z][A-Z])?,(${text}+),([0-9]+(\\.[0-9]+)?),([12][0-9][0-9][0-9]),(${text}+)$")

set(body "")
set(seen_codes "")
set(have_world FALSE)
set(count 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  if(NOT line MATCHES "${row_re}")
    message(FATAL_ERROR "${IN}: malformed row '${line}' (expected ISO3,ISO2,country,g_co2e_per_kwh,year,source)")
  endif()
  set(iso3 "${CMAKE_MATCH_1}")
  set(iso2 "${CMAKE_MATCH_2}")
  set(country "${CMAKE_MATCH_3}")
  set(value "${CMAKE_MATCH_4}")
  set(year "${CMAKE_MATCH_6}")
  set(source "${CMAKE_MATCH_7}")
  foreach(code IN ITEMS ${iso3} ${iso2})
    list(FIND seen_codes "${code}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${IN}: code ${code} appears twice (row '${line}')")
    endif()
    list(APPEND seen_codes "${code}")
  endforeach()
  if(iso3 STREQUAL "WLD")
    set(have_world TRUE)
  endif()
  # Whole numbers are written as doubles ("475.0") so the table reads the same either way.
  if(NOT value MATCHES "\\.")
    set(value "${value}.0")
  endif()
  string(APPEND body "    {\"${iso3}\", \"${iso2}\", \"${country}\", ${value}, ${year}, \"${source}\"},\n")
  math(EXPR count "${count} + 1")
endforeach()
if(NOT have_world)
  message(FATAL_ERROR "${IN}: the WLD (world average) row is missing")
endif()

get_filename_component(in_name "${IN}" NAME)
set(out_text "/*
 * Generated from configs/${in_name} by configs/gen_carbon_intensity.cmake at build
 * time.  Do not edit: change the CSV instead.  ${count} rows.
 */
#include \"spec_int.h\"

const es_region es_region_table[] = {
${body}};

const size_t es_region_table_len = sizeof es_region_table / sizeof es_region_table[0];
")

set(old_text "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old_text)
endif()
if(NOT old_text STREQUAL out_text)
  file(WRITE "${OUT}" "${out_text}")
endif()
