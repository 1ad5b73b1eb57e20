# Recall@10 vs QPS from credmatch-bench's CSV (one curve per index, one point per knob value).
#   gnuplot -e "csv='bench/results-catalog.csv'; out='bench/recall_qps.png'; title='...'" bench/recall_qps.gp
if (!exists("csv")) csv = 'bench/results-catalog.csv'
if (!exists("out")) out = 'bench/recall_qps.png'
if (!exists("title")) title = 'credmatch-bench: recall@10 vs queries/s (one query per call)'
set terminal pngcairo size 1100,700 font ',10' noenhanced
set output out
set datafile separator ','
set title title
set xlabel 'recall@10'
set ylabel 'queries per second (log scale)'
set logscale y
set grid
set key outside right top
set xrange [*:1.005]
# Distinct index names in file order (column 1), skipping the header.
indexes = system("tail -n +2 '".csv."' | cut -d, -f1 | awk '!seen[$0]++' | tr '\\n' ' '")
plot for [name in indexes] csv using (stringcolumn(1) eq name ? $6 : NaN):(stringcolumn(1) eq name ? $3 : NaN) \
     with linespoints pointsize 1.2 title name
