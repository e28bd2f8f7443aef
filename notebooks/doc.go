// Package notebooks holds bt's Jupyter notebooks, which load a run directory's CSV files with
// pandas and plot the comparison of margin modes a researcher builds next. The package has no
// code: its tests check that the committed notebooks carry no outputs and execute each one
// headless against a fresh run (jupyter nbconvert --execute, with BT_RUN_DIR pointing at it).
//
// The notebooks read BT_RUN_DIR (default ../runs/demo, what make demo writes);
// sweep_heatmap.ipynb reads a bt sweep directory's results.csv from BT_SWEEP_DIR (default
// ../runs/sweep; the test makes one from sweep/testdata/slurm.yaml) and draws the metric per
// margin mode and the cross − isolated heatmap over two swept keys (BT_SWEEP_X, BT_SWEEP_Y,
// BT_SWEEP_METRIC).
package notebooks
